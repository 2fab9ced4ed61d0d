import type { NotificationChannel } from '#libs/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '#libs/telemetry';

export type DeliveryResult = 'sent' | 'failed' | 'retry_scheduled';

function deliveries() {
  return counter({
    name: 'convene_notification_deliveries_total',
    help: 'Delivery attempts by channel and result: sent, failed (for good) or retry_scheduled.',
    labelNames: ['channel', 'status'] as const,
  });
}

function sendDuration() {
  return histogram({
    name: 'convene_notification_send_duration_seconds',
    help: 'Time one channel send took (SMTP, Slack webhook, ChainSync API), by channel and whether it was accepted.',
    labelNames: ['channel', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
  });
}

export function recordDelivery(channel: NotificationChannel, status: DeliveryResult): void {
  deliveries().inc({ channel, status });
}

/** `startedAt` is a performance.now() reading taken before the send. */
export function observeSend(channel: NotificationChannel, accepted: boolean, startedAt: number): void {
  sendDuration().observe(
    { channel, outcome: accepted ? 'accepted' : 'refused' },
    (performance.now() - startedAt) / 1000,
  );
}
