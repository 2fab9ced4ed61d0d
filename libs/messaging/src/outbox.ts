import type { EventPayloads, Topic } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import type { ConveneEvent } from './event';

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
}
