import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { DataSource, type EntityManager } from 'typeorm';
import type { Alert, AlertChange } from '#libs/contracts';
import { type EncodedOutboxRow, Outbox, OUTBOX_ROW_COLUMNS } from '#libs/messaging';
import { GroupCommit } from '#libs/persistence';
import { inSpan, setSpanAttributes } from '#libs/telemetry';
import { GatewayError } from '../errors/gateway.exception';
import { SIGNATURE_WINDOW_SECONDS } from '../gateway.config';
import { ReceivedAlert } from '../persistence/received-alert.entity';
import { contentHash, reviseAlert } from './alert-revision';
import type { SignedDelivery } from './webhook-signature.service';

/** What the gateway answers for an accepted delivery; identical deliveries get identical answers. */
export interface IntakeResult {
  alert_id: string;
  trace_id: string;
  revision: number;
  /** The change the delivery published, or null when it published nothing. */
  change: AlertChange | null;
}

const PRUNE_INTERVAL_MS = 60_000;

/**
 * The most first deliveries one statement stores. A batch is whatever arrived while the previous
 * statement ran, so at the bench's 16 concurrent senders it stays far below this.
 */
const MAX_BATCH = 64;

/** The outbox row's values are bound as one array each, in the order of OUTBOX_ROW_COLUMNS. */
const OUTBOX_COLUMN_INDEXES = [0, 1, 2, 3, 4, 5, 6] as const;

/** A first delivery waiting for its batch's statement. */
interface NewAlert {
  alert: Alert;
  delivery: SignedDelivery;
  now: Date;
  traceId: string;
  outboxRow: EncodedOutboxRow['values'];
}

interface NewAlertOutcome {
  /** False when the alert was already stored: nothing of this delivery was written. */
  inserted: boolean;
  batchSize: number;
}

/**
 * Persists a verified delivery before it is acknowledged: the replay nonce, the alert's new state
 * and its `alert.received` event commit in one transaction, or none of them does.
 */
@Injectable()
export class AlertIntakeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AlertIntakeService.name);
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly newAlerts = new GroupCommit((items: NewAlert[]) => this.insertNew(items), {
    maxBatch: MAX_BATCH,
    keyOf: (item) => item.alert.alert_id,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.pruneNonces(), PRUNE_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /**
   * Runs under the webhook's HTTP server span (tagged with the alert id, so Jaeger finds it by
   * `alert.id`); the `accept alert` span guarantees a trace even where no server span exists,
   * and its trace id is the one answered, stored and carried by `alert.received`.
   */
  async accept(alert: Alert, delivery: SignedDelivery, now: Date): Promise<IntakeResult> {
    setSpanAttributes({ 'alert.id': alert.alert_id });
    return inSpan('accept alert', { 'alert.id': alert.alert_id, 'alert.severity': alert.severity }, async (span) => {
      const result = await this.store(alert, delivery, now);
      span.addEvent('alert stored', { 'alert.change': result.change ?? 'none', 'alert.revision': result.revision });
      return result;
    });
  }

  private async store(alert: Alert, delivery: SignedDelivery, now: Date): Promise<IntakeResult> {
    let result: IntakeResult;
    try {
      result =
        (await this.storeIfNew(alert, delivery, now)) ??
        (await this.dataSource.transaction((tx) => this.record(tx, alert, delivery, now)));
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      this.logger.error({ msg: 'alert not stored', alert_id: alert.alert_id, error: describe(error) });
      throw new GatewayError('STORE.UNAVAILABLE', 'The alert could not be stored; retry the delivery.');
    }

    this.logger.log({
      msg: 'alert accepted',
      alert_id: alert.alert_id,
      change: result.change,
      trace_id: result.trace_id,
    });
    return result;
  }

  /**
   * The path almost every webhook takes, a first delivery of an alert. Null when the alert exists
   * (or a racing twin inserted it first): then nothing was written, and the delivery takes the
   * transaction in `record`, which claims its nonce and revises.
   */
  private async storeIfNew(alert: Alert, delivery: SignedDelivery, now: Date): Promise<IntakeResult | null> {
    const traceId = currentTraceId();
    // A resolution is the first Convene hears of this alert: it is recorded as resolved, and no
    // meeting is booked for a problem that is already over.
    const change = alert.status === 'resolved' ? 'resolved' : 'new';
    const { values: outboxRow } = this.outbox.encode(
      'alert.received',
      { alert, change, revision: 1, received_at: now.toISOString() },
      { key: alert.alert_id },
    );
    const stored = await this.newAlerts.submit({ alert, delivery, now, traceId, outboxRow });
    setSpanAttributes({ 'db.batch.size': stored.batchSize });
    if (!stored.inserted) return null;
    this.outbox.added();
    return { alert_id: alert.alert_id, trace_id: traceId, revision: 1, change };
  }

  /**
   * Writes first deliveries in one statement per batch (the ingest profile showed the gateway's time
   * going into PostgreSQL round trips and commits): each alert's row, its replay nonce and its
   * `alert.received` outbox row, the nonce and the outbox row only for the alerts that were new. A
   * new alert's nonce cannot be taken already, because a signature covers the body and with it the
   * alert id, and alerts are never deleted. The rows go in in alert id order, so two replicas'
   * batches cannot deadlock on each other's keys.
   */
  private async insertNew(items: NewAlert[]): Promise<NewAlertOutcome[]> {
    const column = <T>(pick: (item: NewAlert) => T): T[] => items.map(pick);
    const rows = await this.dataSource.query<{ alert_id: string }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::timestamptz[], $8::text[], $9::float8[], $10::uuid[], $11::text[], $12::text[],
                              $13::text[], $14::text[], $15::text[], $16::text[])
           WITH ORDINALITY AS t(alert_id, severity, status, body, content_hash, trace_id, received_at, signature,
                                expires_at, event_id, topic, key, headers, value, traceparent, tracestate, arrival)
       ), fresh AS (
         INSERT INTO received_alerts (alert_id, severity, status, revision, body, content_hash, trace_id, deliveries,
                                      first_received_at, revised_at, last_received_at)
         SELECT alert_id, severity, status, 1, body::jsonb, content_hash, trace_id, 1, received_at, received_at,
                received_at
           FROM input ORDER BY alert_id
         ON CONFLICT (alert_id) DO NOTHING
         RETURNING alert_id
       ), claim AS (
         INSERT INTO replay_nonces (signature, expires_at, received_at)
         SELECT signature, to_timestamp(expires_at), received_at FROM input JOIN fresh USING (alert_id)
         ON CONFLICT (signature) DO NOTHING
       ), queued AS (
         INSERT INTO outbox (${OUTBOX_ROW_COLUMNS})
         SELECT event_id, topic, key, headers::jsonb, value, traceparent, tracestate
           FROM input JOIN fresh USING (alert_id) ORDER BY arrival
       )
       SELECT alert_id FROM fresh`,
      [
        column((item) => item.alert.alert_id),
        column((item) => item.alert.severity),
        column((item) => item.alert.status),
        column((item) => JSON.stringify(item.alert)),
        column((item) => contentHash(item.alert)),
        column((item) => item.traceId),
        column((item) => item.now),
        column((item) => item.delivery.signature),
        column((item) => item.delivery.timestampSeconds + SIGNATURE_WINDOW_SECONDS),
        ...OUTBOX_COLUMN_INDEXES.map((index) => column((item) => item.outboxRow[index])),
      ],
    );
    const inserted = new Set(rows.map((row) => row.alert_id));
    return items.map((item) => ({ inserted: inserted.has(item.alert.alert_id), batchSize: items.length }));
  }

  /** A delivery of an alert already stored: claims its nonce and revises the alert, in the caller's transaction. */
  private async record(tx: EntityManager, alert: Alert, delivery: SignedDelivery, now: Date): Promise<IntakeResult> {
    if (!(await this.claimNonce(tx, delivery, now))) {
      throw new GatewayError('ALERT.REPLAYED', 'This signed delivery was already processed; sign a new one to resend.');
    }
    return this.reviseExisting(tx, alert, contentHash(alert), currentTraceId(), now);
  }

  /**
   * Remembers the signature until its timestamp can no longer pass the window check, so the same
   * signed request is processed once, across restarts too; a concurrent twin waits on the key and
   * then finds it taken.
   */
  private async claimNonce(tx: EntityManager, delivery: SignedDelivery, now: Date): Promise<boolean> {
    const claimed = await tx.query<unknown[]>(
      `INSERT INTO replay_nonces (signature, expires_at, received_at) VALUES ($1, to_timestamp($2), $3)
       ON CONFLICT (signature) DO NOTHING
       RETURNING signature`,
      [delivery.signature, delivery.timestampSeconds + SIGNATURE_WINDOW_SECONDS, now],
    );
    return claimed.length > 0;
  }

  /** The row lock makes racing deliveries of one alert take turns, so a change is published once. */
  private async reviseExisting(
    tx: EntityManager,
    alert: Alert,
    hash: string,
    traceId: string,
    now: Date,
  ): Promise<IntakeResult> {
    const alerts = tx.getRepository(ReceivedAlert);
    const current = await alerts.findOneOrFail({
      where: { alert_id: alert.alert_id },
      lock: { mode: 'pessimistic_write' },
    });
    const revision = reviseAlert(current, alert, hash);

    if (revision.kind !== 'changed') {
      await alerts.update(alert.alert_id, { deliveries: current.deliveries + 1, last_received_at: now });
      return { alert_id: alert.alert_id, trace_id: current.trace_id, revision: current.revision, change: null };
    }

    const next = current.revision + 1;
    const severity = revision.change === 'escalated' ? alert.severity : current.severity;
    await tx.query(
      `UPDATE received_alerts
          SET severity = $2, status = $3, revision = $4, body = $5, content_hash = $6, trace_id = $7,
              deliveries = deliveries + 1, revised_at = $8, last_received_at = $8
        WHERE alert_id = $1`,
      [alert.alert_id, severity, alert.status, next, JSON.stringify(alert), hash, traceId, now],
    );
    await this.publish(tx, alert, revision.change, next, now);
    return { alert_id: alert.alert_id, trace_id: traceId, revision: next, change: revision.change };
  }

  private async publish(
    tx: EntityManager,
    alert: Alert,
    change: AlertChange,
    revision: number,
    now: Date,
  ): Promise<void> {
    await this.outbox.add(
      tx,
      'alert.received',
      { alert, change, revision, received_at: now.toISOString() },
      { key: alert.alert_id },
    );
  }

  private async pruneNonces(): Promise<void> {
    try {
      // A minute of slack covers clock differences between this process and the database.
      await this.dataSource.query(`DELETE FROM replay_nonces WHERE expires_at < now() - interval '1 minute'`);
    } catch (error) {
      this.logger.warn({ msg: 'replay nonces not pruned', error: describe(error) });
    }
  }
}

/**
 * The active span's trace id, so the answer names the trace SREs find in Jaeger; random only when
 * tracing was never started.
 */
function currentTraceId(): string {
  const context = trace.getActiveSpan()?.spanContext();
  if (context && /^[0-9a-f]{32}$/.test(context.traceId) && !/^0+$/.test(context.traceId)) return context.traceId;
  return randomBytes(16).toString('hex');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
