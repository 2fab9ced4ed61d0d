import { deadLetterTopic, TOPICS } from '#libs/contracts';
import type { DataSource } from 'typeorm';
import { DeadLetterConsumer, type DeadLetterHandler } from './dead-letter-consumer';
import type { EventHandler } from './handler';
import { InboxConsumer } from './inbox-consumer';
import { observeMessaging } from './messaging.metrics';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay, type RelayOptions } from './outbox-relay';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { TransactionalOutbox } from './transactional-outbox';
import type { BusSubscription, BusTransport } from './transport';

export interface MessagingEngineOptions {
  /** The producing and consuming service: CloudEvents source `/convene/<service>`, group `convene-<service>`. */
  service: string;
  dataSource: DataSource;
  transport: BusTransport;
  handlers: EventHandler[];
  /** Observes every service's dead letters under group `convene-<service>.dead-letters` (the audit service). */
  deadLetters?: DeadLetterHandler;
  retry?: Partial<RetryPolicy>;
  relay?: Partial<RelayOptions>;
}

/** Every topic and its dead-letter topic: what a transport provisions at connect. */
export const ALL_TOPICS: string[] = [...TOPICS, ...TOPICS.map(deadLetterTopic)];

/**
 * One service's messaging without Nest: its outbox, the relay that publishes it, and the inbox
 * consumer of its handlers' topics. MessagingModule drives it from Nest's lifecycle.
 */
export class MessagingEngine {
  readonly outbox: TransactionalOutbox;
  readonly group: string;
  private readonly relay: OutboxRelay;
  private readonly consumer: InboxConsumer;
  private subscription: BusSubscription | undefined;
  private deadLetterSubscription: BusSubscription | undefined;
  private stopObserving: (() => void) | undefined;

  constructor(private readonly options: MessagingEngineOptions) {
    this.group = `convene-${options.service}`;
    this.outbox = new TransactionalOutbox(options.service);
    this.relay = new OutboxRelay(
      options.dataSource,
      options.transport,
      { ...DEFAULT_RELAY_OPTIONS, ...options.relay },
      options.service,
    );
    this.outbox.wakeRelayWith(() => this.relay.wake());
    this.consumer = new InboxConsumer(options.dataSource, this.group, options.handlers, {
      ...DEFAULT_RETRY_POLICY,
      ...options.retry,
    });
  }

  async start(): Promise<void> {
    await this.options.transport.connect(ALL_TOPICS);
    this.stopObserving = observeMessaging({
      service: this.options.service,
      group: this.group,
      dataSource: this.options.dataSource,
      transport: this.options.transport,
      topics: this.consumer.topics,
    });
    this.relay.start();
    if (this.options.deadLetters) {
      this.deadLetterSubscription = await this.options.transport.subscribe({
        group: `${this.group}.dead-letters`,
        topics: TOPICS.map(deadLetterTopic),
        deliver: new DeadLetterConsumer(this.options.dataSource, this.options.deadLetters).deliver,
      });
    }
    if (this.consumer.topics.length === 0) return;
    this.subscription = await this.options.transport.subscribe({
      group: this.group,
      topics: this.consumer.topics,
      deliver: this.consumer.deliver,
      deliverRun: this.consumer.deliverRun,
    });
  }

  /** Stops consuming, lets running handlers finish, then flushes the relay. The transport stays open. */
  async stop(): Promise<void> {
    this.stopObserving?.();
    this.consumer.stop();
    await this.subscription?.stop();
    await this.deadLetterSubscription?.stop();
    this.subscription = undefined;
    this.deadLetterSubscription = undefined;
    await this.relay.stop();
  }

  /** Makes the relay look at the outbox now: rows were added by a statement TypeORM did not see as an insert. */
  wakeRelay(): void {
    this.relay.wake();
  }

  /** Publishes one batch now (tests and benchmarks); the running relay does this on its own. */
  publishBatch(): Promise<number> {
    return this.relay.publishBatch();
  }
}
