import type { Topic } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import type { ConveneEvent } from './event';

/**
 * A consumer of one topic. The messaging layer calls `handle` inside a database transaction that
 * also records the event in the service's inbox, so a redelivered event is skipped and the
 * handler's effects (including outbox rows it adds through `tx`) commit exactly once. On Kafka
 * that transaction may also hold the events before and after it (see `ownTransaction`), so a
 * handler reads and writes through `tx` only.
 * Name handlers for cause and effect: `AnalyzeAlertWhenReceived`.
 */
export interface EventHandler<T extends Topic = Topic> {
  readonly topic: T;
  /**
   * True when the handler needs a transaction of its own instead of one shared with the events
   * before and after it on Kafka: it takes locks that the handling of other events takes too, in
   * an order of their own (scheduling's lock per alert type), and a shared transaction would hold
   * them across the whole run, where two runs can deadlock.
   */
  readonly ownTransaction?: boolean;
  /**
   * True when the handler recognises an event it has already handled by itself (the audit log's
   * unique event id), so the consumer writes no inbox row for it and calls it for a redelivery too:
   * one statement less per event for a service that consumes every event of the system. A message
   * redelivered after its dead letter committed (the offset commit was lost) is then tried again.
   */
  readonly deduplicatesItself?: boolean;
  handle(event: ConveneEvent<T>, tx: EntityManager): Promise<void>;
}
