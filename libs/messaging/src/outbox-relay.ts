import { Logger } from '@nestjs/common';
import { SpanKind, trace, type Span } from '@opentelemetry/api';
import type { DataSource, EntitySubscriberInterface, InsertEvent, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { errorText } from './cloud-event';
import { OutboxMessageEntity } from './outbox-message.entity';
import { contextFrom, injectInto, tracer } from './trace-context';
import type { BusMessage, BusTransport } from './transport';

export interface RelayOptions {
  /** Rows published per round; a full round is followed at once by the next. */
  batchSize: number;
  /** How often the relay looks for rows when nothing woke it. */
  pollIntervalMs: number;
  /** Longest pause after failed rounds (the broker is down, the database is restarting). */
  maxBackoffMs: number;
  /** How long stop() waits for the round in flight and the final flush (the broker may be down). */
  shutdownTimeoutMs: number;
}

// The poll only finds rows no wake announced: those of a replica that crashed before its relay
// sent them. A wake that meets another replica's round holding the lock is retried within
// LOCK_BUSY_RETRY_MS instead. At 200 ms the five idle services' polls were a fifth of their CPU.
export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  batchSize: 500,
  pollIntervalMs: 1_000,
  maxBackoffMs: 5_000,
  shutdownTimeoutMs: 10_000,
};

/** How soon a round that found another relay holding the lock looks again: that round is short. */
const LOCK_BUSY_RETRY_MS = 25;

interface OutboxRow {
  position: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  value: string;
  traceparent: string | null;
  tracestate: string | null;
}

// TODO(#3): sent rows are never deleted; add a retention sweep.
/**
 * Publishes the service's outbox in position order and marks rows sent once the bus accepted
 * them. One relay per schema works at a time (advisory lock), which keeps per-key order even with
 * several replicas; rows left unsent by a crash go out on the next round after restart.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  /** Set by a wake that came while a round ran: that round may have missed the new rows. */
  private wokenDuringRound = false;
  /** Set when the last round found another relay (a replica's) holding the lock. */
  private lockWasBusy = false;
  private readonly waker = new WakeRelayAfterOutboxCommit(() => this.wake());

  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: BusTransport,
    private readonly options: RelayOptions,
    service: string,
  ) {
    this.logger = new Logger(`OutboxRelay:${service}`);
  }

  start(): void {
    this.dataSource.subscribers.push(this.waker);
    this.stopping = false;
    this.loop = this.run();
  }

  /** Looks at the outbox now instead of at the next poll (after the round in flight, if one is). */
  wake(): void {
    this.wokenDuringRound = true;
    this.wakeUp?.();
  }

  /** Finishes the round in flight, then publishes what is left (best effort) before returning. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    const registered = this.dataSource.subscribers.indexOf(this.waker);
    if (registered >= 0) this.dataSource.subscribers.splice(registered, 1);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('relay shutdown timed out')), this.options.shutdownTimeoutMs);
    });
    try {
      await Promise.race([this.flushRemaining(), timeout]);
    } catch (error) {
      this.logger.warn({
        msg: 'outbox not fully flushed at shutdown; the rest goes out after restart',
        error: errorText(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async flushRemaining(): Promise<void> {
    await this.loop;
    while ((await this.publishBatch()) === this.options.batchSize);
  }

  /** Publishes one batch of unsent rows; returns how many it sent (0 when another relay holds the lock). */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [lock] = await tx.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox_relay')) AS locked`,
      );
      this.lockWasBusy = !lock?.locked;
      if (!lock?.locked) return 0;

      const rows = await tx.query<OutboxRow[]>(
        `SELECT position::text AS position, topic, key, headers, value, traceparent, tracestate
           FROM outbox WHERE sent_at IS NULL ORDER BY outbox.position LIMIT $1`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return 0;

      await this.publishTraced(rows);
      await tx.query('UPDATE outbox SET sent_at = now() WHERE position = ANY($1::bigint[])', [
        rows.map((row) => row.position),
      ]);
      return rows.length;
    });
  }

  private async publishTraced(rows: OutboxRow[]): Promise<void> {
    const spans: Span[] = [];
    const messages = rows.map((row): BusMessage => {
      const parent = contextFrom({ traceparent: row.traceparent, tracestate: row.tracestate });
      const span = tracer.startSpan(`publish ${row.topic}`, { kind: SpanKind.PRODUCER }, parent);
      span.setAttributes({
        'messaging.system': this.transport.kind === 'kafka' ? 'kafka' : 'convene-in-process',
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.topic,
        'messaging.kafka.message.key': row.key,
        'alert.id': row.key,
      });
      spans.push(span);
      const headers = { ...row.headers };
      injectInto(trace.setSpan(parent, span), headers);
      return { topic: row.topic, key: row.key, value: row.value, headers };
    });
    try {
      await this.transport.publish(messages);
    } finally {
      for (const span of spans) span.end();
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        this.wokenDuringRound = false;
        const sent = await this.publishBatch();
        failures = 0;
        // A commit that woke the relay during the round may have come after its SELECT: look again
        // at once rather than at the next poll, which would add the poll interval to that event.
        if (sent === this.options.batchSize || this.wokenDuringRound) continue;
        // The replica holding the lock may have selected before this process's rows committed.
        await this.idle(this.lockWasBusy ? LOCK_BUSY_RETRY_MS : this.options.pollIntervalMs);
      } catch (error) {
        failures += 1;
        this.logger.warn({ msg: 'outbox relay round failed; retrying', failures, error: errorText(error) });
        await this.idle(Math.min(this.options.maxBackoffMs, 100 * 2 ** failures));
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

// TypeORM has no after-commit hook on an EntityManager; a subscriber on the outbox entity is the
// one place that sees both the insert and the commit of the same query runner.
/** Wakes the relay when a transaction that added outbox rows commits, instead of waiting for the poll. */
class WakeRelayAfterOutboxCommit implements EntitySubscriberInterface<OutboxMessageEntity> {
  private readonly dirty = new WeakSet<QueryRunner>();

  constructor(private readonly wake: () => void) {}

  listenTo(): typeof OutboxMessageEntity {
    return OutboxMessageEntity;
  }

  afterInsert(event: InsertEvent<OutboxMessageEntity>): void {
    this.dirty.add(event.queryRunner);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!this.dirty.has(event.queryRunner)) return;
    this.dirty.delete(event.queryRunner);
    this.wake();
  }
}
