import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NotificationOutcomeV1 } from '#libs/contracts';
import { Outbox } from '#libs/messaging';
import { inSpanContinuing, withLogContext } from '#libs/telemetry';
import { DataSource } from 'typeorm';
import { ChannelRouter } from '../channels/channel-router.service';
import type { SendReceipt } from '../channels/channel-sender';
import { DeliveryFailure } from '../channels/delivery-failure.exception';
import { NOTIFICATION_SETTINGS, type NotificationSettings } from '../notification.config';
import { Delivery } from './delivery.entity';
import { observeSend, recordDelivery } from './notification.metrics';

/**
 * Sends pending deliveries. Several workers (pods, or the embedded process) may run at once:
 * each claims a batch with FOR UPDATE SKIP LOCKED and leases it before sending.
 *
 * The crash window: a delivery is claimed (attempts + 1, leased until now + leaseMs) and that
 * claim commits BEFORE the message goes out; the result is recorded AFTER, together with its
 * notification.delivered / notification.failed event. If the process dies between sending and
 * recording, the lease runs out and the message is sent again: at-least-once. We chose that over
 * at-most-once because a lost invitation to an incident meeting costs more than a repeated one,
 * and a repeat is harmless where it lands: the email keeps its Message-ID and the invite its
 * UID and SEQUENCE, so mail and calendar clients fold it into the first; the ChainSync PATCH is
 * idempotent and its comment carries an Idempotency-Key. Counting the attempt at claim time keeps
 * a message that crashes the process from being retried forever.
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

  /** Claims one batch of due deliveries and sends them. Returns how many it claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claimDue();
    const results = await Promise.allSettled(claimed.map((delivery) => this.deliver(delivery)));
    for (const result of results) {
      // The delivery stays leased and is retried when the lease runs out.
      if (result.status === 'rejected')
        this.logger.error({ msg: 'delivery result not recorded', error: describe(result.reason) });
    }
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
  private deliver(delivery: Delivery): Promise<void> {
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
        () => this.sendAndRecord(delivery),
      ),
    );
  }

  private async sendAndRecord(delivery: Delivery): Promise<void> {
    if (delivery.attempts > this.settings.worker.maxAttempts) {
      // Claimed again and again without a recorded result: sending it is what kills the process.
      const failure = DeliveryFailure.permanent(
        'NOTIFICATION.BUDGET_EXHAUSTED',
        'no result recorded within the budget',
      );
      await this.recordFailure(delivery, failure);
      return;
    }

    let receipt: SendReceipt;
    const started = performance.now();
    try {
      receipt = await this.router.senderFor(delivery.channel).send(delivery);
    } catch (error) {
      observeSend(delivery.channel, false, started);
      await this.recordFailure(delivery, asDeliveryFailure(error));
      return;
    }
    observeSend(delivery.channel, true, started);
    await this.recordSent(delivery, receipt);
  }

  private async recordSent(delivery: Delivery, receipt: SendReceipt): Promise<void> {
    const recorded = await this.dataSource.transaction(async (tx) => {
      const updated: [unknown[], number] = await tx.query(
        `UPDATE deliveries
            SET status = 'sent', provider_message_id = $3, last_error = NULL, updated_at = now(), completed_at = now()
          WHERE id = $1 AND status = 'pending' AND attempts = $2`,
        [delivery.id, delivery.attempts, receipt.providerMessageId],
      );
      if (updated[1] === 0) return false;
      await this.outbox.add(tx, 'notification.delivered', outcome(delivery, receipt.providerMessageId, null), {
        key: delivery.alert_id,
      });
      return true;
    });
    if (recorded) recordDelivery(delivery.channel, 'sent');
    this.logResult(recorded, 'delivered', delivery);
  }

  private async recordFailure(delivery: Delivery, failure: DeliveryFailure): Promise<void> {
    const final = failure.permanent || delivery.attempts >= this.settings.worker.maxAttempts;
    const error = `${failure.code}: ${failure.message}`.slice(0, 240);
    if (!final) {
      await this.scheduleRetry(delivery, error);
      return;
    }

    const recorded = await this.dataSource.transaction(async (tx) => {
      const updated: [unknown[], number] = await tx.query(
        `UPDATE deliveries
            SET status = 'failed', last_error = $3, updated_at = now(), completed_at = now()
          WHERE id = $1 AND status = 'pending' AND attempts = $2`,
        [delivery.id, delivery.attempts, error],
      );
      if (updated[1] === 0) return false;
      await this.outbox.add(tx, 'notification.failed', outcome(delivery, null, error), { key: delivery.alert_id });
      return true;
    });
    if (recorded) recordDelivery(delivery.channel, 'failed');
    this.logResult(recorded, failure.permanent ? 'failed permanently' : 'failed after retries', delivery, error);
  }

  private async scheduleRetry(delivery: Delivery, error: string): Promise<void> {
    const delayMs = backoffDelay(
      delivery.attempts,
      this.settings.worker.backoffBaseMs,
      this.settings.worker.backoffMaxMs,
    );
    await this.dataSource.query(
      `UPDATE deliveries
          SET last_error = $3, next_attempt_at = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
        WHERE id = $1 AND status = 'pending' AND attempts = $2`,
      [delivery.id, delivery.attempts, error, delayMs],
    );
    recordDelivery(delivery.channel, 'retry_scheduled');
    this.logger.warn({
      msg: 'delivery will be retried',
      ...logFields(delivery),
      error,
      retry_in_ms: Math.round(delayMs),
    });
  }

  private logResult(recorded: boolean, result: string, delivery: Delivery, error?: string): void {
    if (!recorded) {
      // Another worker took the delivery over after our lease ran out, or a newer meeting
      // version superseded it while it was being sent; the record that is there stands.
      this.logger.warn({ msg: 'delivery outcome not recorded: lease lost', ...logFields(delivery) });
      return;
    }
    const entry = { msg: `notification ${result}`, ...logFields(delivery), ...(error ? { error } : {}) };
    if (error) this.logger.warn(entry);
    else this.logger.log(entry);
  }
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

function outcome(delivery: Delivery, providerMessageId: string | null, error: string | null): NotificationOutcomeV1 {
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
