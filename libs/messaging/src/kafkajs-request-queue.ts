/*
 * kafkajs 2.2.4 (its last release) keeps every broker connection's request queue in a timer loop:
 * after each check for pending requests it schedules the next one, and with nothing pending and no
 * throttle the delay it computes is negative, so Node runs it after 1 ms. A service with its
 * producer, consumer and admin connections ran about a thousand such timers a second per
 * connection, idle or not: the largest part of an idle service's CPU in its profile, and Node 24's
 * TimeoutNegativeWarning at start-up. Upstream: tulios/kafkajs issues 1556, 1704 and 1751.
 *
 * The queue already checks its pending requests whenever a request is pushed, answered or timed
 * out, so the timer is needed only while requests wait (to retry every 10 ms, as kafkajs does) or
 * while the broker throttles the client (to resume when the throttle ends). Outside those, this
 * version schedules nothing.
 */
import { createRequire } from 'node:module';
import { Logger } from '@nestjs/common';

/** The part of kafkajs' internal RequestQueue this file relies on (kafkajs/src/network/requestQueue). */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' own retry interval for requests that wait in the queue. */
const PENDING_RETRY_MS = 10;

const requireFromHere = createRequire(__filename);

function scheduleCheckOnlyWhenNeeded(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const throttledForMs = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && throttledForMs <= 0) return;

  const delay = throttledForMs > 0 ? throttledForMs : PENDING_RETRY_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/**
 * Replaces the request queue's scheduling in the kafkajs this process loads; idempotent. A kafkajs
 * whose queue is not where 2.2.4 keeps it is left alone, with a warning: the loop costs CPU, not
 * correctness, and a release that moved the file may well have fixed it.
 */
export function stopKafkajsIdleTimerLoop(): void {
  let RequestQueue: { prototype: Partial<RequestQueueInternals> } | undefined;
  try {
    RequestQueue = requireFromHere('kafkajs/src/network/requestQueue') as typeof RequestQueue;
  } catch {
    RequestQueue = undefined;
  }
  if (typeof RequestQueue?.prototype.scheduleCheckPendingRequests !== 'function') {
    new Logger('KafkaBus').warn({ msg: 'kafkajs request queue not found; its idle timer loop is left as it is' });
    return;
  }
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckOnlyWhenNeeded;
}
