import type { Topic } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import type { ConveneEvent } from './event';

/**
 * A consumer of one topic. The messaging layer calls `handle` inside a database transaction that
 * also records the event in the service's inbox, so a redelivered event is skipped and the
 * handler's effects (including outbox rows it adds through `tx`) commit exactly once.
 * Name handlers for cause and effect: `AnalyzeAlertWhenReceived`.
 */
export interface EventHandler<T extends Topic = Topic> {
  readonly topic: T;
  handle(event: ConveneEvent<T>, tx: EntityManager): Promise<void>;
}
