import { randomUUID } from 'node:crypto';
import { EVENT_CATALOGUE, type EventPayloads, payloadProblems, type Topic } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import { encodeEvent } from './cloud-event';
import { PermanentError } from './errors';
import type { ConveneEvent } from './event';
import { Outbox } from './outbox';
import { OutboxMessageEntity } from './outbox-message.entity';
import { captureTraceContext } from './trace-context';
import type { BusMessage } from './transport';

/** Writes outbox rows through the caller's transaction; `source` is `/convene/<service>`. */
export class TransactionalOutbox extends Outbox {
  constructor(private readonly service: string) {
    super();
  }

  async add<T extends Topic>(
    tx: EntityManager,
    topic: T,
    data: EventPayloads[T],
    options: { key: string },
  ): Promise<ConveneEvent<T>> {
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
      subject: options.key,
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
      data,
    };
    await insertOutboxRow(tx, event.id, encodeEvent(event), trace);
    return event;
  }
}

/** Inserts one row; also used for dead letters, which carry a raw message rather than an event. */
export async function insertOutboxRow(
  tx: EntityManager,
  eventId: string,
  message: BusMessage,
  trace: { traceparent: string | null; tracestate: string | null },
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
