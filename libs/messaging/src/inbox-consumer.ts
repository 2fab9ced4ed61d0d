import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { DEAD_LETTER_HEADERS, deadLetterTopic, type Topic } from '#libs/contracts';
import { withLogContext } from '#libs/telemetry';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeEvent, errorText } from './cloud-event';
import { type HandlingOutcome, observeHandling, recordDeadLetter } from './messaging.metrics';
import { ConsumerError, databaseUnavailable } from './errors';
import type { ConveneEvent } from './event';
import type { EventHandler } from './handler';
import { backoffDelay, mayRetry, type RetryPolicy } from './retry-policy';
import { contextFrom, tracer } from './trace-context';
import { insertOutboxRow } from './transactional-outbox';
import type { Delivery } from './transport';

/** Raised inside a delivery when the consumer stops; the message is not committed and comes again. */
export class ConsumerStoppedError extends Error {
  constructor() {
    super('consumer stopped before the message was done');
    this.name = 'ConsumerStoppedError';
  }
}

interface Failure {
  code: string;
  message: string;
  permanent: boolean;
}

/** A delivery and the event decoded from it. */
interface Decoded {
  delivery: Delivery;
  event: ConveneEvent;
}

/** One handler's part of a shared transaction, finished once the transaction's outcome is known. */
interface RunEntry {
  span: Span;
  topic: string;
  outcome: HandlingOutcome;
  failed: boolean;
  /** The handler's own time (inbox row included); the shared commit is added when it is known. */
  elapsedMs: number;
}

// A run's transaction takes no further event once it has been open this long. Handlers may call
// remote services (AI agents, Slotify) inside it, and an event's effect is visible only at COMMIT:
// the bound keeps the wait an event adds to the ones before it near one handler call, not a run.
const RUN_TRANSACTION_MAX_AGE_MS = 50;

function classify(error: unknown): Failure {
  if (error instanceof ConsumerError) return { code: error.code, message: error.message, permanent: !error.retriable };
  return { code: 'MESSAGING.HANDLER_FAILED', message: errorText(error), permanent: false };
}

// TODO(#3): inbox rows are kept forever (the dedup window is unbounded); add retention.
/**
 * Runs a service's handlers for each delivery: decodes and validates the event, calls every
 * handler of its topic in a transaction that also writes the inbox row (so a redelivery is a no-op),
 * retries retriable failures with backoff inside the budget, and dead-letters the rest. A run of
 * deliveries (`deliverRun`) shares transactions, several events each, and falls back to one
 * transaction per message when a shared one fails.
 */
export class InboxConsumer {
  private readonly logger: Logger;
  private readonly byTopic = new Map<Topic, EventHandler[]>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    private readonly group: string,
    handlers: EventHandler[],
    private readonly retry: RetryPolicy,
  ) {
    this.logger = new Logger(`Inbox:${group}`);
    for (const handler of handlers)
      this.byTopic.set(handler.topic, [...(this.byTopic.get(handler.topic) ?? []), handler]);
  }

  get topics(): Topic[] {
    return [...this.byTopic.keys()];
  }

  /** Makes waiting deliveries give up (they are redelivered later); running handlers finish. */
  stop(): void {
    this.stopped.abort();
  }

  readonly deliver = async (delivery: Delivery): Promise<void> => {
    let event: ConveneEvent;
    try {
      event = decodeEvent(delivery);
    } catch (error) {
      await this.deadLetter(delivery, null, 'decode', classify(error), 1);
      return;
    }
    await this.deliverAlone({ delivery, event });
  };

  /**
   * Processes consecutive deliveries of one partition in order, in as few transactions as the age
   * bound allows; an undecodable one is dead-lettered in its place. A transaction that fails is
   * rolled back and its messages go one by one through `deliver`'s path, retries and dead letters
   * included, so a failure is handled exactly as without runs.
   */
  readonly deliverRun = async (deliveries: Delivery[]): Promise<void> => {
    let run: Decoded[] = [];
    for (const delivery of deliveries) {
      let event: ConveneEvent;
      try {
        event = decodeEvent(delivery);
      } catch (error) {
        await this.deliverInTransactions(run);
        run = [];
        await this.deadLetter(delivery, null, 'decode', classify(error), 1);
        continue;
      }
      run.push({ delivery, event });
    }
    await this.deliverInTransactions(run);
  };

  private async deliverAlone({ delivery, event }: Decoded): Promise<void> {
    // Every event is about one alert (its subject): each line the handlers log names it.
    await withLogContext({ alert_id: event.subject }, async () => {
      for (const handler of this.byTopic.get(event.topic) ?? []) await this.handleWithRetries(handler, event, delivery);
    });
  }

  private async deliverInTransactions(run: Decoded[]): Promise<void> {
    let rest = run;
    while (rest.length > 0) {
      if (this.stopped.signal.aborted) throw new ConsumerStoppedError();
      const firstAlone = rest.findIndex((decoded) => this.needsOwnTransaction(decoded));
      const shared = firstAlone < 0 ? rest : rest.slice(0, firstAlone);
      if (shared.length <= 1) {
        await this.deliverAlone(rest[0]);
        rest = rest.slice(1);
        continue;
      }

      const { taken, committed } = await this.handleInOneTransaction(shared);
      // A transaction that failed before its first event (BEGIN, the database gone) still hands
      // one message to the per-message path, which waits out an outage.
      const done = Math.max(taken, 1);
      if (!committed) for (const decoded of rest.slice(0, done)) await this.deliverAlone(decoded);
      await rest[0].delivery.heartbeat();
      rest = rest.slice(done);
    }
  }

  /**
   * Shared transactions of several partitions can deadlock on locks their handlers take in different
   * orders; PostgreSQL breaks that after deadlock_timeout and the run is redone one by one. The
   * end-to-end bench measured 7 such deadlocks in 30 s on scheduling's lock per alert type, each
   * stalling a partition for a second, so a handler like that one declares `ownTransaction`.
   */
  private needsOwnTransaction({ event }: Decoded): boolean {
    return (this.byTopic.get(event.topic) ?? []).some((handler) => handler.ownTransaction === true);
  }

  /**
   * Handles events from the start of `events` in one transaction until it is old enough or the
   * consumer stops. When it fails, everything it did is rolled back and `committed` is false: the
   * caller then repeats those events one by one, handlers' remote calls included. That is safe
   * because they are idempotent by design (calendar bookings carry idempotency keys, the analysis
   * agents are pure), the same reason a retried message may repeat them.
   */
  private async handleInOneTransaction(events: Decoded[]): Promise<{ taken: number; committed: boolean }> {
    const entries: RunEntry[] = [];
    let taken = 0;
    let commitStarted = 0;
    try {
      await this.dataSource.transaction(async (tx) => {
        const opened = performance.now();
        for (const decoded of events) {
          const old = performance.now() - opened >= RUN_TRANSACTION_MAX_AGE_MS;
          if (taken > 0 && (old || this.stopped.signal.aborted)) break;
          taken += 1;
          await this.handleInRun(decoded, tx, entries);
        }
        commitStarted = performance.now();
      });
    } catch (error) {
      this.rolledBack(entries, taken, error);
      return { taken, committed: false };
    }
    const commitMs = performance.now() - commitStarted;
    for (const entry of entries) {
      observeHandling(this.group, entry.topic, entry.outcome, performance.now() - entry.elapsedMs - commitMs);
      entry.span.setAttribute('convene.inbox.transaction_events', taken);
      entry.span.end();
    }
    return { taken, committed: true };
  }

  /** Every handler of the event's topic with its inbox row, each in its own `consume <topic>` span. */
  private async handleInRun({ delivery, event }: Decoded, tx: EntityManager, entries: RunEntry[]): Promise<void> {
    await withLogContext({ alert_id: event.subject }, async () => {
      for (const handler of this.byTopic.get(event.topic) ?? []) {
        const name = handler.constructor.name;
        const started = performance.now();
        const { span, spanContext } = this.startConsumeSpan(name, event, delivery, 1);
        const entry: RunEntry = { span, topic: event.topic, outcome: 'handled', failed: false, elapsedMs: 0 };
        entries.push(entry);
        await context.with(spanContext, async () => {
          try {
            if (!(await this.isFirstDelivery(tx, handler, name, event))) {
              span.addEvent('duplicate skipped');
              entry.outcome = 'duplicate';
              return;
            }
            await handler.handle(event, tx);
          } catch (error) {
            entry.failed = true;
            markFailed(span, error);
            throw error;
          } finally {
            entry.elapsedMs = performance.now() - started;
          }
        });
      }
    });
  }

  /** Ends the spans of a rolled-back transaction as failures: none of their effects happened. */
  private rolledBack(entries: RunEntry[], taken: number, error: unknown): void {
    const failure = classify(error);
    this.logger.warn({
      msg: 'transaction of a run rolled back; handling its messages one by one',
      events: taken,
      code: failure.code,
    });
    for (const entry of entries) {
      if (entry.failed) observeHandling(this.group, entry.topic, 'retried', performance.now() - entry.elapsedMs);
      else entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'transaction of the run rolled back' });
      entry.span.setAttribute('convene.inbox.transaction_events', taken);
      entry.span.addEvent('run rolled back; retried one by one');
      entry.span.end();
    }
  }

  private async handleWithRetries(handler: EventHandler, event: ConveneEvent, delivery: Delivery): Promise<void> {
    let started = Date.now();
    const name = handler.constructor.name;
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopped.signal.aborted) throw new ConsumerStoppedError();
      const attemptStarted = performance.now();
      try {
        const fresh = await this.handleOnce(handler, name, event, delivery, attempt);
        observeHandling(this.group, event.topic, fresh ? 'handled' : 'duplicate', attemptStarted);
        return;
      } catch (error) {
        const failure = classify(error);
        if (
          !failure.permanent &&
          databaseUnavailable(error) &&
          (await this.heldWhileDatabaseDown(name, event, delivery, failure))
        ) {
          observeHandling(this.group, event.topic, 'retried', attemptStarted);
          // The outage was not the message's fault: its retry budget starts again.
          [attempt, started] = [0, Date.now()];
          continue;
        }
        const delay = backoffDelay(this.retry, attempt);
        if (failure.permanent || !mayRetry(this.retry, attempt, Date.now() - started, delay)) {
          observeHandling(this.group, event.topic, 'dead_lettered', attemptStarted);
          await this.deadLetter(delivery, event, name, failure, attempt);
          return;
        }
        observeHandling(this.group, event.topic, 'retried', attemptStarted);
        this.logger.warn({
          msg: 'handler failed; retrying',
          handler: name,
          event_id: event.id,
          alert_id: event.subject,
          attempt,
          code: failure.code,
          retry_in_ms: delay,
        });
        await this.pause(delay, delivery);
      }
    }
  }

  /**
   * While the database is down (restarting, failing over, unreachable) no handler can succeed, and
   * a valid message dead-lettered for it would lose its effect. So the delivery waits, keeping its
   * partition with heartbeats, until a probe query answers; a stop still ends the wait. Returns
   * false at once when the probe answers straight away: then the failure was the handler's own (a
   * refused HTTP connection looks like a refused database one) and the normal budget applies.
   */
  private async heldWhileDatabaseDown(
    name: string,
    event: ConveneEvent,
    delivery: Delivery,
    failure: Failure,
  ): Promise<boolean> {
    if (await this.databaseAnswers()) return false;
    this.logger.warn({
      msg: 'database unavailable; holding the message until it is back',
      handler: name,
      event_id: event.id,
      alert_id: event.subject,
      error: failure.message,
    });
    do {
      await this.pause(this.retry.initialDelayMs * 5, delivery);
    } while (!(await this.databaseAnswers()));
    return true;
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch (error) {
      return !databaseUnavailable(error);
    }
  }

  /** Runs the handler once in a `consume <topic>` span under the producer's trace; false for a duplicate. */
  private handleOnce(
    handler: EventHandler,
    name: string,
    event: ConveneEvent,
    delivery: Delivery,
    attempt: number,
  ): Promise<boolean> {
    const { span, spanContext } = this.startConsumeSpan(name, event, delivery, attempt);
    return context.with(spanContext, async () => {
      try {
        return await this.dataSource.transaction(async (tx) => {
          if (!(await this.isFirstDelivery(tx, handler, name, event))) {
            span.addEvent('duplicate skipped');
            return false;
          }
          await handler.handle(event, tx);
          return true;
        });
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private startConsumeSpan(
    name: string,
    event: ConveneEvent,
    delivery: Delivery,
    attempt: number,
  ): { span: Span; spanContext: Context } {
    const parent = contextFrom(parentCarrier(event, delivery));
    const span = tracer.startSpan(
      `consume ${event.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': delivery.position.includes('/in-process/') ? 'convene-in-process' : 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': event.topic,
          'messaging.consumer.group.name': this.group,
          'messaging.message.id': event.id,
          'messaging.kafka.message.key': delivery.key,
          'convene.handler': name,
          'convene.delivery.attempt': attempt,
          'alert.id': event.subject,
        },
      },
      parent,
    );
    return { span, spanContext: trace.setSpan(parent, span) };
  }

  /**
   * Whether this handler has not processed the event before: its inbox row is new. A handler that
   * deduplicates by itself gets no row, and is called for a redelivery too.
   */
  private isFirstDelivery(
    tx: EntityManager,
    handler: EventHandler,
    name: string,
    event: ConveneEvent,
  ): Promise<boolean> {
    if (handler.deduplicatesItself === true) return Promise.resolve(true);
    return this.recordInInbox(tx, event.id, name, event.topic, 'handled');
  }

  /** True when the row is new: this handler has not processed the event before. */
  private async recordInInbox(
    tx: EntityManager,
    eventId: string,
    handler: string,
    topic: string,
    outcome: string,
  ): Promise<boolean> {
    const inserted = await tx.query<unknown[]>(
      `INSERT INTO inbox (event_id, handler, topic, outcome) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventId, handler, topic, outcome],
    );
    return inserted.length > 0;
  }

  /**
   * Keeps the message with the reason (dead_letters), marks it processed for this handler, and
   * queues it for `<topic>.dlq` through the outbox, all in one transaction. A database outage here
   * is waited out: the message must not be committed before its dead letter is.
   */
  private async deadLetter(
    delivery: Delivery,
    event: ConveneEvent | null,
    handler: string,
    failure: Failure,
    attempts: number,
  ): Promise<void> {
    recordDeadLetter(this.group, delivery.topic, failure.code);
    this.logger.error({
      msg: 'message dead-lettered',
      topic: delivery.topic,
      position: delivery.position,
      event_id: event?.id,
      alert_id: delivery.key,
      handler,
      code: failure.code,
      attempts,
    });
    const headers: Record<string, string> = {
      ...delivery.headers,
      [DEAD_LETTER_HEADERS.originalTopic]: delivery.topic,
      [DEAD_LETTER_HEADERS.consumer]: `${this.group}/${handler}`,
      [DEAD_LETTER_HEADERS.errorCode]: failure.code,
      [DEAD_LETTER_HEADERS.error]: failure.message.slice(0, 1_000),
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
      [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.dataSource.transaction(async (tx) => {
          if (event && !(await this.recordInInbox(tx, event.id, handler, event.topic, 'dead_lettered'))) return;
          await tx.query(
            `INSERT INTO dead_letters (event_id, topic, key, handler, error_code, error_message, attempts, headers,
                                       value)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              event?.id ?? null,
              delivery.topic,
              delivery.key,
              `${this.group}/${handler}`,
              failure.code,
              failure.message.slice(0, 1_000),
              attempts,
              headers,
              delivery.value,
            ],
          );
          const dlq = event ? deadLetterTopic(event.topic) : `${delivery.topic}.dlq`;
          await insertOutboxRow(
            tx,
            randomUUID(),
            { topic: dlq, key: delivery.key, value: delivery.value, headers },
            {
              traceparent: delivery.headers.traceparent ?? null,
              tracestate: delivery.headers.tracestate ?? null,
            },
          );
        });
        return;
      } catch (error) {
        this.logger.warn({
          msg: 'could not record dead letter; retrying',
          topic: delivery.topic,
          position: delivery.position,
          error: errorText(error),
        });
        await this.pause(Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** attempt), delivery);
      }
    }
  }

  private async pause(ms: number, delivery: Delivery): Promise<void> {
    const signal = this.stopped.signal;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (signal.aborted) throw new ConsumerStoppedError();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(1_000, until - Date.now()));
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
      await delivery.heartbeat();
    }
    if (signal.aborted) throw new ConsumerStoppedError();
  }
}

function markFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : errorText(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
}

/**
 * The relay's `publish <topic>` span (plain `traceparent` header) when it belongs to the producer's
 * trace, so the consumer hangs under the publish; otherwise the producer's own context
 * (`ce_traceparent`), which no broker-side instrumentation can have rewritten.
 */
function parentCarrier(event: ConveneEvent, delivery: Delivery): Record<string, string | null | undefined> {
  const header = delivery.headers.traceparent;
  if (!event.traceparent) return { traceparent: header, tracestate: delivery.headers.tracestate };
  if (header && traceIdIn(header) === traceIdIn(event.traceparent)) {
    return { traceparent: header, tracestate: delivery.headers.tracestate };
  }
  return { traceparent: event.traceparent, tracestate: event.tracestate };
}

function traceIdIn(traceparent: string): string | undefined {
  return traceparent.split('-')[1];
}
