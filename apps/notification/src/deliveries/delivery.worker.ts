import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NotificationOutcomeV1 } from '#libs/contracts';
import { type EncodedOutboxRow, Outbox, OUTBOX_ROW_COLUMNS } from '#libs/messaging';
import { inSpanContinuing, withLogContext } from '#libs/telemetry';
import { context, type Context } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { ChannelRouter } from '../channels/channel-router.service';
import { DeliveryFailure } from '../channels/delivery-failure.exception';
import { NOTIFICATION_SETTINGS, type NotificationSettings } from '../notification.config';
import { Delivery } from './delivery.entity';
import { observeSend, recordDelivery } from './notification.metrics';

/**
 * Sends pending deliveries. Several workers (pods, or the embedded process) may run at once:
 * each claims a batch with FOR UPDATE SKIP LOCKED and leases it before sending.
 *
 * The crash window: a delivery is claimed (attempts + 1, leased until now + leaseMs) and that
 * claim commits BEFORE the message goes out; the results of the batch are recorded AFTER its
 * sends have settled, in one statement together with their notification.delivered /
 * notification.failed events. If the process dies between sending and recording, the lease runs
 * out and the message is sent again: at-least-once. We chose that over at-most-once because a
 * lost invitation to an incident meeting costs more than a repeated one, and a repeat is harmless
 * where it lands: the email keeps its Message-ID and the invite its UID and SEQUENCE, so mail and
 * calendar clients fold it into the first; the ChainSync PATCH is idempotent and its comment
 * carries an Idempotency-Key. Counting the attempt at claim time keeps a message that crashes the
 * process from being retried forever. Every send is bounded by requestTimeoutMs, well below the
 * lease, so waiting for the slowest send of a batch does not cost a lease.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly router: ChannelRouter,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  /** The first shutdown hook, so the batch in flight is recorded before the database closes. */
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.tick;
  }

  /** Claims one batch of due deliveries, sends them and records their results. Returns how many it claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claimDue();
    if (claimed.length === 0) return 0;

    const results = await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    await this.recordResults(results);
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick = this.poll();
    }, delayMs);
  }

  private async poll(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await this.runOnce();
    } catch (error) {
      this.logger.error({ msg: 'delivery poll failed', error: describe(error) });
    }
    this.schedule(claimed >= this.settings.worker.batchSize ? 0 : this.settings.worker.pollIntervalMs);
  }

  private async claimDue(): Promise<Delivery[]> {
    const { batchSize, leaseMs } = this.settings.worker;
    const result: [Delivery[], number] = await this.dataSource.query(
      `UPDATE deliveries
          SET attempts = attempts + 1,
              next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
              updated_at = now()
        WHERE id IN (SELECT id FROM deliveries
                      WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at
                      LIMIT $1
                      FOR UPDATE SKIP LOCKED)
      RETURNING *`,
      [batchSize, leaseMs],
    );
    return result[0];
  }

  /**
   * Sends outside the consumer's transaction, so the span continues the trace stored on the row:
   * the send and its notification.* event belong to the alert's trace. No consumer scope reaches
   * here either, so each delivery opens its own log scope.
   */
  private deliver(delivery: Delivery): Promise<SendResult> {
    return withLogContext({ alert_id: delivery.alert_id, meeting_id: delivery.meeting_id }, () =>
      inSpanContinuing(
        delivery.traceparent,
        `deliver ${delivery.channel}`,
        {
          'alert.id': delivery.alert_id,
          'meeting.id': delivery.meeting_id,
          'meeting.sequence': delivery.meeting_sequence,
          'notification.channel': delivery.channel,
          'notification.event_kind': delivery.event_kind,
          'notification.attempt': delivery.attempts,
        },
        () => this.send(delivery),
      ),
    );
  }

  /** Never throws: whatever the channel does becomes the result to record. */
  private async send(delivery: Delivery): Promise<SendResult> {
    const trace = context.active();
    if (delivery.attempts > this.settings.worker.maxAttempts) {
      // Claimed again and again without a recorded result: sending it is what kills the process.
      const failure = DeliveryFailure.permanent(
        'NOTIFICATION.BUDGET_EXHAUSTED',
        'no result recorded within the budget',
      );
      return this.failed(delivery, failure, trace);
    }

    const started = performance.now();
    try {
      const receipt = await this.router.senderFor(delivery.channel).send(delivery);
      observeSend(delivery.channel, true, started);
      return { delivery, trace, status: 'sent', providerMessageId: receipt.providerMessageId, error: null };
    } catch (error) {
      observeSend(delivery.channel, false, started);
      return this.failed(delivery, asDeliveryFailure(error), trace);
    }
  }

  private failed(delivery: Delivery, failure: DeliveryFailure, trace: Context): SendResult {
    const error = `${failure.code}: ${failure.message}`.slice(0, 240);
    const base = { delivery, trace, providerMessageId: null, error };
    if (failure.permanent) return { ...base, status: 'failed', failure: 'failed permanently' };
    if (delivery.attempts >= this.settings.worker.maxAttempts) {
      return { ...base, status: 'failed', failure: 'failed after retries' };
    }
    const retryInMs = backoffDelay(
      delivery.attempts,
      this.settings.worker.backoffBaseMs,
      this.settings.worker.backoffMaxMs,
    );
    return { ...base, status: 'retry', retryInMs };
  }

  /**
   * One statement for the whole batch. Should it fail (a deadlock with a planner superseding the
   * same meeting, say), each result is recorded on its own, so one result does not keep the others
   * from being recorded. A result whose event the outbox refuses is left leased, the rest recorded.
   */
  private async recordResults(results: SendResult[]): Promise<void> {
    const pending = results.flatMap((result) => this.withEvent(result));
    try {
      await this.record(pending);
      return;
    } catch (error) {
      if (pending.length <= 1) {
        for (const { result } of pending) this.logResultNotRecorded(result, error);
        return;
      }
      this.logger.warn({ msg: 'delivery batch not recorded, recording one by one', error: describe(error) });
    }

    for (const record of pending) {
      try {
        await this.record([record]);
      } catch (error) {
        this.logResultNotRecorded(record.result, error);
      }
    }
  }

  /** The result with its notification.* event, encoded in the trace of the delivery's own span. */
  private withEvent(result: SendResult): PendingRecord[] {
    if (result.status === 'retry') return [{ result, event: null }];
    const topic = result.status === 'sent' ? 'notification.delivered' : 'notification.failed';
    try {
      const event = context.with(result.trace, () =>
        this.outbox.encode(topic, outcome(result), { key: result.delivery.alert_id }),
      );
      return [{ result, event }];
    } catch (error) {
      this.logResultNotRecorded(result, error);
      return [];
    }
  }

  private async record(pending: PendingRecord[]): Promise<void> {
    if (pending.length === 0) return;

    const recorded = await recordWithEvents(this.dataSource, pending);
    if (pending.some(({ result, event }) => event && recorded.has(result.delivery.id))) this.outbox.added();

    for (const { result } of pending) {
      context.with(result.trace, () => this.logResult(result, recorded.has(result.delivery.id)));
    }
  }

  private logResult(result: SendResult, recorded: boolean): void {
    const { delivery } = result;
    if (!recorded) {
      // Another worker took the delivery over after our lease ran out, or a newer meeting
      // version superseded it while it was being sent; the record that is there stands.
      this.logger.warn({ msg: 'delivery outcome not recorded: lease lost', ...logFields(delivery) });
      return;
    }
    switch (result.status) {
      case 'sent':
        recordDelivery(delivery.channel, 'sent');
        this.logger.log({ msg: 'notification delivered', ...logFields(delivery) });
        return;
      case 'failed':
        recordDelivery(delivery.channel, 'failed');
        this.logger.warn({ msg: `notification ${result.failure}`, ...logFields(delivery), error: result.error });
        return;
      case 'retry':
        recordDelivery(delivery.channel, 'retry_scheduled');
        this.logger.warn({
          msg: 'delivery will be retried',
          ...logFields(delivery),
          error: result.error,
          retry_in_ms: Math.round(result.retryInMs),
        });
        return;
    }
  }

  /** The delivery stays leased and is retried when the lease runs out. */
  private logResultNotRecorded(result: SendResult | undefined, error: unknown): void {
    const fields = result ? logFields(result.delivery) : {};
    this.logger.error({ msg: 'delivery result not recorded', ...fields, error: describe(error) });
  }
}

/** What one send came to, waiting to be recorded with the rest of its batch. */
type SendResult = {
  delivery: Delivery;
  /** The delivery span's context, so its log lines and notification.* event join that trace. */
  trace: Context;
  providerMessageId: string | null;
  error: string | null;
} & (
  | { status: 'sent' }
  | { status: 'failed'; failure: 'failed permanently' | 'failed after retries' }
  | { status: 'retry'; retryInMs: number }
);

/** A result about to be recorded, with the outbox row of its event (none for a retry). */
interface PendingRecord {
  result: SendResult;
  event: EncodedOutboxRow | null;
}

/**
 * Records the results in one statement, each only if its delivery is still pending under the
 * attempt that sent it (the lease is still ours), and the events of exactly those in the outbox.
 * A retried one stays pending with a later due time. Returns the ids it recorded.
 */
async function recordWithEvents(dataSource: DataSource, pending: PendingRecord[]): Promise<Set<string>> {
  const results = pending.map(({ result }) => ({
    id: result.delivery.id,
    attempts: result.delivery.attempts,
    status: result.status === 'retry' ? 'pending' : result.status,
    provider_message_id: result.providerMessageId,
    last_error: result.error,
    retry_in_ms: result.status === 'retry' ? result.retryInMs : null,
  }));
  const events = pending.flatMap(({ result, event }, position) =>
    event ? [{ delivery_id: result.delivery.id, position, outbox_row: event.values }] : [],
  );
  const recorded: { id: string }[] = await dataSource.query(
    `WITH recorded AS (
       UPDATE deliveries AS d
          SET status = r.status,
              provider_message_id = CASE WHEN r.status = 'sent' THEN r.provider_message_id ELSE d.provider_message_id END,
              last_error = r.last_error,
              next_attempt_at = CASE WHEN r.status = 'pending'
                                     THEN now() + make_interval(secs => r.retry_in_ms / 1000)
                                     ELSE d.next_attempt_at END,
              updated_at = now(),
              completed_at = CASE WHEN r.status = 'pending' THEN d.completed_at ELSE now() END
         FROM jsonb_to_recordset($1::jsonb)
              AS r(id uuid, attempts integer, status text, provider_message_id text, last_error text,
                   retry_in_ms double precision)
        WHERE d.id = r.id AND d.status = 'pending' AND d.attempts = r.attempts
      RETURNING d.id
     ), queued AS (
       INSERT INTO outbox (${OUTBOX_ROW_COLUMNS})
       SELECT (e.outbox_row->>0)::uuid, e.outbox_row->>1, e.outbox_row->>2, (e.outbox_row->>3)::jsonb,
              e.outbox_row->>4, e.outbox_row->>5, e.outbox_row->>6
         FROM jsonb_to_recordset($2::jsonb) AS e(delivery_id uuid, position integer, outbox_row jsonb)
        WHERE e.delivery_id IN (SELECT id FROM recorded)
        ORDER BY e.position
     )
     SELECT id FROM recorded`,
    [JSON.stringify(results), JSON.stringify(events)],
  );
  return new Set(recorded.map((row) => row.id));
}

/** Exponential backoff with jitter, so retries of many deliveries do not arrive together. */
export function backoffDelay(attempts: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asDeliveryFailure(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return DeliveryFailure.transient('NOTIFICATION.UNEXPECTED', message.slice(0, 200));
}

function outcome({ delivery, providerMessageId, error }: SendResult): NotificationOutcomeV1 {
  return {
    meeting_id: delivery.meeting_id,
    alert_id: delivery.alert_id,
    meeting_sequence: delivery.meeting_sequence,
    channel: delivery.channel,
    recipient: delivery.recipient,
    attempts: delivery.attempts,
    provider_message_id: providerMessageId,
    error,
    at: new Date().toISOString(),
  };
}

function logFields(delivery: Delivery): Record<string, string | number> {
  return {
    delivery_id: delivery.id,
    meeting_id: delivery.meeting_id,
    alert_id: delivery.alert_id,
    sequence: delivery.meeting_sequence,
    channel: delivery.channel,
    attempts: delivery.attempts,
  };
}
