/** One message as the transports carry it: string key and value, string headers. */
export interface BusMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** A message handed to a consumer, with where it came from and a way to keep the session alive. */
export interface Delivery extends BusMessage {
  /** Transport position for logs and dead letters: `topic/partition/offset` on Kafka. */
  position: string;
  /** Tells the broker the consumer is alive while a handler backs off between attempts. */
  heartbeat(): Promise<void>;
}

/**
 * Processes one delivery. Resolving means the message is done (handled, skipped as a duplicate or
 * dead-lettered) and its position may be committed; rejecting means it must be delivered again.
 */
export type DeliverFn = (delivery: Delivery) => Promise<void>;

/**
 * Processes consecutive deliveries of one partition, in order. Resolving means every one of them is
 * done, as for DeliverFn; rejecting means the transport delivers them all again (those already done
 * come back as duplicates, which the inbox skips).
 */
export type DeliverRunFn = (deliveries: Delivery[]) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group: every group receives each message once; `convene-<service>`. */
  group: string;
  topics: string[];
  deliver: DeliverFn;
  /**
   * Used instead of `deliver` by a transport that has several messages of a partition in hand
   * (Kafka's fetched batches), so the consumer can process them in one database transaction.
   */
  deliverRun?: DeliverRunFn;
}

export interface BusSubscription {
  /** Stops fetching, waits for the delivery in flight, and commits what finished. */
  stop(): Promise<void>;
}

/**
 * What the outbox relay publishes through and the inbox consumes from: Kafka in distributed mode,
 * the in-process bus in embedded mode. Both keep per-key order, give each group one copy and
 * redeliver anything not acknowledged.
 */
export interface BusTransport {
  readonly kind: 'kafka' | 'in-process';
  /** Connects and provisions the topics (and their dead-letter topics). Idempotent. */
  connect(topics: string[]): Promise<void>;
  /** Resolves once every message is durably accepted; messages with one key keep their order. */
  publish(messages: BusMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<BusSubscription>;
  /**
   * Messages of each topic that `group` has not processed yet (metrics, read on scrape). Kafka:
   * end offsets minus the group's committed offsets; in-process: deliveries queued for the group.
   */
  lag?(group: string, topics: string[]): Promise<Record<string, number>>;
  /** Throws when the bus cannot take work (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}
