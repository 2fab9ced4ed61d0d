import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { DEAD_LETTER_HEADERS, deadLetterTopic, type Topic } from '#libs/contracts';
import { withLogContext } from '#libs/telemetry';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeEvent, errorText } from './cloud-event';
import { observeHandling, recordDeadLetter } from './messaging.metrics';
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

function classify(error: unknown): Failure {
  if (error instanceof ConsumerError) return { code: error.code, message: error.message, permanent: !error.retriable };
  return { code: 'MESSAGING.HANDLER_FAILED', message: errorText(error), permanent: false };
}

// TODO(#3): inbox rows are kept forever (the dedup window is unbounded); add retention.
/**
 * Runs a service's handlers for each delivery: decodes and validates the event, calls every
 * handler of its topic in a transaction that also writes the inbox row (so a redelivery is a no-op),
 * retries retriable failures with backoff inside the budget, and dead-letters the rest.
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
    // Every event is about one alert (its subject): each line the handlers log names it.
    await withLogContext({ alert_id: event.subject }, async () => {
      for (const handler of this.byTopic.get(event.topic) ?? []) await this.handleWithRetries(handler, event, delivery);
    });
  };

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
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        return await this.dataSource.transaction(async (tx) => {
          if (!(await this.recordInInbox(tx, event.id, name, event.topic, 'handled'))) {
            span.addEvent('duplicate skipped');
            return false;
          }
          await handler.handle(event, tx);
          return true;
        });
      } catch (error) {
        span.recordException(error instanceof Error ? error : errorText(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
        throw error;
      } finally {
        span.end();
      }
    });
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
            `INSERT INTO dead_letters (event_id, topic, key, handler, error_code, error_message, attempts, headers, value)
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
