import { randomUUID } from 'node:crypto';
import { EVENT_CATALOGUE, type EventPayloads, payloadProblems, type Topic } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import { encodeEvent } from './cloud-event';
import { PermanentError } from './errors';
import type { ConveneEvent } from './event';
import { type EncodedOutboxRow, Outbox } from './outbox';
import { OutboxMessageEntity } from './outbox-message.entity';
import { captureTraceContext, type TraceCarrier } from './trace-context';
import type { BusMessage } from './transport';

/** Writes outbox rows through the caller's transaction; `source` is `/convene/<service>`. */
export class TransactionalOutbox extends Outbox {
  private wakeRelay: () => void = () => undefined;

  constructor(private readonly service: string) {
    super();
  }

  /** What `added()` calls: the service's relay, once it exists. */
  wakeRelayWith(wake: () => void): void {
    this.wakeRelay = wake;
  }

  async add<T extends Topic>(
    tx: EntityManager,
    topic: T,
    data: EventPayloads[T],
    options: { key: string },
  ): Promise<ConveneEvent<T>> {
    const { event, message, trace } = this.build(topic, data, options.key);
    await insertOutboxRow(tx, event.id, message, trace);
    return event;
  }

  encode<T extends Topic>(topic: T, data: EventPayloads[T], options: { key: string }): EncodedOutboxRow<T> {
    const { event, message, trace } = this.build(topic, data, options.key);
    return {
      event,
      values: [
        event.id,
        message.topic,
        message.key,
        JSON.stringify(message.headers),
        message.value,
        trace.traceparent,
        trace.tracestate,
      ],
    };
  }

  added(): void {
    this.wakeRelay();
  }

  private build<T extends Topic>(
    topic: T,
    data: EventPayloads[T],
    key: string,
  ): { event: ConveneEvent<T>; message: BusMessage; trace: TraceCarrier } {
    const problems = payloadProblems(topic, data);
    if (problems.length > 0) {
      throw new PermanentError('MESSAGING.INVALID_PAYLOAD', `${topic} payload invalid: ${problems.join('; ')}`);
    }

    const trace = captureTraceContext();
    const event: ConveneEvent<T> = {
      id: randomUUID(),
      topic,
      type: EVENT_CATALOGUE[topic].type,
      source: `/convene/${this.service}`,
      time: new Date().toISOString(),
      subject: key,
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
      data,
    };
    return { event, message: encodeEvent(event), trace };
  }
}

/** Inserts one row; also used for dead letters, which carry a raw message rather than an event. */
export async function insertOutboxRow(
  tx: EntityManager,
  eventId: string,
  message: BusMessage,
  trace: TraceCarrier,
): Promise<void> {
  await tx.insert(OutboxMessageEntity, {
    eventId,
    topic: message.topic,
    key: message.key,
    headers: message.headers,
    value: message.value,
    traceparent: trace.traceparent,
    tracestate: trace.tracestate,
  });
}
