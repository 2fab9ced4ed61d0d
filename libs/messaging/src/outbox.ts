import type { EventPayloads, Topic } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import type { ConveneEvent } from './event';

/** The outbox columns an `EncodedOutboxRow` fills, in order: `INSERT INTO outbox (${OUTBOX_ROW_COLUMNS}) …`. */
export const OUTBOX_ROW_COLUMNS = 'event_id, topic, key, headers, value, traceparent, tracestate';

/** An event and the values of its outbox row, for a statement that inserts the row itself. */
export interface EncodedOutboxRow<T extends Topic = Topic> {
  event: ConveneEvent<T>;
  /** In the order of OUTBOX_ROW_COLUMNS; the headers as JSON text. */
  values: [string, string, string, string, string, string | null, string | null];
}

/**
 * Records an event in the service's outbox table inside the caller's transaction, so the state
 * change and the event commit together or not at all. The relay publishes it afterwards, in
 * order per key, carrying the W3C trace context that was active here.
 */
export abstract class Outbox {
  abstract add<T extends Topic>(
    tx: EntityManager,
    topic: T,
    data: EventPayloads[T],
    options: { key: string },
  ): Promise<ConveneEvent<T>>;

  /**
   * The event `add` would write, encoded for a caller that inserts its row within a single
   * statement of its own (one round trip, where `add` needs a transaction around it). Call
   * `added()` once that statement committed, so the relay publishes at once instead of at its poll.
   */
  abstract encode<T extends Topic>(topic: T, data: EventPayloads[T], options: { key: string }): EncodedOutboxRow<T>;

  abstract added(): void;
}
