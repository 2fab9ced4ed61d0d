import { Logger } from '@nestjs/common';
import {
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  logLevel,
  type LogEntry,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { TOPIC_PARTITIONS } from '#libs/contracts';
import { ConsumerStoppedError } from './inbox-consumer';
import { stopKafkajsIdleTimerLoop } from './kafkajs-request-queue';
import type { BusMessage, BusSubscription, BusTransport, DeliverRunFn, SubscribeOptions } from './transport';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic and group name; lets tests share a broker without seeing each other. */
  namespace?: string;
  partitions?: number;
  replicationFactor?: number;
  /** Partitions one consumer processes at the same time (each in order). */
  partitionsConsumedConcurrently?: number;
  /** Commit after this many processed messages even mid-batch. */
  commitEvery?: number;
}

const logger = new Logger('KafkaBus');

stopKafkajsIdleTimerLoop();

// A run is one database transaction on the consumer's side: long enough to spread BEGIN and COMMIT
// over many messages, short enough that a rebalance or stop, checked between runs, is not kept waiting.
const MAX_RUN_LENGTH = 50;

// How long the broker holds a fetch that finds nothing new. It answers as soon as a message
// arrives, so this adds no latency; it sets how often an idle consumer asks again, and with it how
// soon a member learns of a rebalance (heartbeats go between fetches). At 100 ms the idle fleet's
// fetches kept the broker at 7 % of a core (bench/profile-notes.md).
const FETCH_WAIT_MS = 500;

function kafkaLogCreator(): (entry: LogEntry) => void {
  return ({ level, log }) => {
    const { message, ...extra } = log;
    const line = { msg: message, ...extra };
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
}

/**
 * Apache Kafka through kafkajs: an idempotent producer (acks=all, one request in flight, so retries
 * cannot reorder a key), and one consumer per group that commits offsets only after the delivery
 * (handler transaction or dead letter) finished. Topics and dead-letter topics are created at connect,
 * because the brokers do not auto-create them.
 *
 * Why not @nestjs/microservices' ServerKafka: it commits or resolves offsets around its own
 * message-pattern dispatch, and offers no hook to commit only after our database transaction,
 * retry with a budget and dead-letter without holding the partition. The bus is driven by
 * MessagingModule's lifecycle instead, identically for the in-process transport.
 */
export class KafkaBus implements BusTransport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin;
  private readonly consumers = new Set<Consumer>();
  private connected: Promise<void> | undefined;

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator,
      retry: { initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    // The idempotent producer keeps kafkajs' unlimited retries: bounding them would let a retry
    // after a give-up reorder or duplicate a key. Shutdown is bounded by the relay instead.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
  }

  connect(topics: string[]): Promise<void> {
    this.connected ??= this.connectOnce(topics);
    return this.connected;
  }

  async publish(messages: BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, BusMessage[]>();
    for (const message of messages) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, sameTopic]) => ({
        topic: this.physical(topic),
        messages: sameTopic.map((message) => ({ key: message.key, value: message.value, headers: message.headers })),
      })),
    });
  }

  async subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    const consumer = this.kafka.consumer({
      groupId: this.physical(options.group),
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: FETCH_WAIT_MS,
    });
    const state = { stopping: false };
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics.map((topic) => this.physical(topic)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.consumeBatch(consumer, payload, options, state),
    });
    this.consumers.add(consumer);
    return {
      stop: async () => {
        state.stopping = true;
        await consumer.disconnect();
        this.consumers.delete(consumer);
      },
    };
  }

  async lag(group: string, topics: string[]): Promise<Record<string, number>> {
    const committed = await this.admin.fetchOffsets({
      groupId: this.physical(group),
      topics: topics.map((topic) => this.physical(topic)),
    });
    const lag: Record<string, number> = {};
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      let behind = 0;
      for (const end of ends) {
        const done = partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
        // No committed offset yet: the group starts from the beginning (fromBeginning: true).
        const from = done === '-1' ? BigInt(end.low) : BigInt(done);
        behind += Number(BigInt(end.high) - from);
      }
      lag[this.logical(topic)] = behind;
    }
    return lag;
  }

  async check(): Promise<void> {
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  private async connectOnce(topics: string[]): Promise<void> {
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.map((topic) => this.physical(topic)).filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await this.admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.partitions ?? TOPIC_PARTITIONS,
          replicationFactor: this.options.replicationFactor ?? 1,
        })),
      });
      logger.log({ msg: 'topics created', topics: missing });
      await this.waitForLeaders(missing);
    }
    await this.producer.connect();
  }

  // kafkajs' own waitForLeaders gives up when a KRaft broker answers "does not host this
  // topic-partition" for a moment after creation; this wait treats that answer as "not yet".
  private async waitForLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics });
        const ready = metadata.every(
          (topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0),
        );
        if (ready) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics without leaders after 30 s: ${topics.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * Processes a batch in order, in runs of consecutive messages when the subscriber takes runs, and
   * commits the next offset after each finished run (every `commitEvery` messages and at the end).
   * A rebalance (stale batch) or a stop ends the batch early, between runs; what is not committed
   * is redelivered to whoever owns the partition next, and the inbox makes that harmless.
   */
  private async consumeBatch(
    consumer: Consumer,
    payload: EachBatchPayload,
    options: SubscribeOptions,
    state: { stopping: boolean },
  ): Promise<void> {
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const topic = this.logical(batch.topic);
    const commitEvery = this.options.commitEvery ?? 100;
    const runLength = options.deliverRun ? Math.max(1, Math.min(MAX_RUN_LENGTH, commitEvery)) : 1;
    const deliverRun: DeliverRunFn =
      options.deliverRun ??
      (async (deliveries) => {
        for (const delivery of deliveries) await options.deliver(delivery);
      });
    let uncommitted: string | undefined;
    let sinceCommit = 0;
    const commit = async (): Promise<void> => {
      if (uncommitted === undefined) return;
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: uncommitted }]);
      uncommitted = undefined;
      sinceCommit = 0;
    };

    try {
      for (let start = 0; start < batch.messages.length; start += runLength) {
        if (state.stopping || !payload.isRunning() || payload.isStale()) break;
        const run = batch.messages.slice(start, start + runLength);
        await deliverRun(run.map((message) => this.toDelivery(topic, batch.partition, message, heartbeat)));
        const last = run[run.length - 1].offset;
        payload.resolveOffset(last);
        uncommitted = (BigInt(last) + 1n).toString();
        sinceCommit += run.length;
        if (sinceCommit >= commitEvery) await commit();
        await heartbeat();
      }
    } catch (error) {
      if (!(error instanceof ConsumerStoppedError)) throw error;
    } finally {
      await commit().catch((error: unknown) =>
        logger.warn({ msg: 'offset commit failed; messages will be redelivered', topic, error: String(error) }),
      );
    }
  }

  private toDelivery(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      const single = Array.isArray(value) ? value[value.length - 1] : value;
      if (single !== undefined) headers[name] = single.toString();
    }
    return {
      topic,
      key: message.key?.toString() ?? '',
      value: message.value?.toString() ?? '',
      headers,
      position: `${topic}/${partition}/${message.offset}`,
      heartbeat,
    };
  }

  private physical(name: string): string {
    return `${this.options.namespace ?? ''}${name}`;
  }

  private logical(name: string): string {
    const prefix = this.options.namespace ?? '';
    return name.startsWith(prefix) ? name.slice(prefix.length) : name;
  }
}
