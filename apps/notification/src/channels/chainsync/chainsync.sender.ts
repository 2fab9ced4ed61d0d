import { Inject, Injectable } from '@nestjs/common';
import type { Delivery, MeetingEventKind, MeetingNotice } from '../../deliveries/delivery.entity';
import { NOTIFICATION_SETTINGS, type NotificationSettings } from '../../notification.config';
import type { ChannelSender, SendReceipt } from '../channel-sender';
import { DeliveryFailure } from '../delivery-failure.exception';
import { describeWhen } from '../meeting-wording';
import { readJson, sendJson } from '../http-call';

/**
 * Tells ChainSync where the meeting for an alert is: the alert's status and meeting link
 * (PATCH, idempotent), then a comment with the root cause (POST, carrying an Idempotency-Key so a
 * resend after a crash can be recognised by the API).
 */
@Injectable()
export class ChainSyncSender implements ChannelSender {
  constructor(@Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings) {}

  async send(delivery: Delivery): Promise<SendReceipt> {
    const baseUrl = this.settings.chainsyncApiUrl;
    if (!baseUrl) throw DeliveryFailure.permanent('CHAINSYNC.NOT_CONFIGURED', 'CHAINSYNC_API_URL is not set');
    const alertUrl = `${baseUrl}/alerts/${encodeURIComponent(delivery.recipient)}`;
    const notice = delivery.snapshot;

    const patched = await sendJson({
      target: 'ChainSync alert update',
      url: alertUrl,
      method: 'PATCH',
      headers: this.headers(`${delivery.id}:status`),
      body: {
        status: alertStatus(delivery.event_kind),
        meeting_url: notice.url,
        note: statusNote(delivery.event_kind, notice),
      },
      timeoutMs: this.settings.worker.requestTimeoutMs,
    });
    await patched.body?.cancel();

    const commented = await sendJson({
      target: 'ChainSync alert comment',
      url: `${alertUrl}/comments`,
      method: 'POST',
      headers: this.headers(`${delivery.id}:comment`),
      body: { body: commentBody(delivery.event_kind, notice) },
      timeoutMs: this.settings.worker.requestTimeoutMs,
    });
    return { providerMessageId: commentId(await readJson(commented)) };
  }

  private headers(idempotencyKey: string): Record<string, string> {
    const key = this.settings.chainsyncApiKey;
    return { 'idempotency-key': idempotencyKey, ...(key ? { 'x-api-key': key } : {}) };
  }
}

export function alertStatus(kind: MeetingEventKind): 'meeting_scheduled' | 'meeting_cancelled' {
  return kind === 'cancelled' ? 'meeting_cancelled' : 'meeting_scheduled';
}

function statusNote(kind: MeetingEventKind, notice: MeetingNotice): string {
  const when = describeWhen(notice);
  switch (kind) {
    case 'scheduled':
      return `Convene booked "${notice.title}" for ${when} with ${notice.attendees.length} attendees.`;
    case 'updated':
      return `Convene moved or changed "${notice.title}": now ${when}${notice.reason ? ` (${notice.reason})` : ''}.`;
    case 'cancelled':
      return `Convene cancelled "${notice.title}"${notice.reason ? ` (${notice.reason})` : ''}.`;
  }
}

function commentBody(kind: MeetingEventKind, notice: MeetingNotice): string {
  const lines = [statusNote(kind, notice), `Meeting: ${notice.url}`];
  if (notice.root_cause.trim() !== '') lines.push(`Root cause: ${notice.root_cause}`);
  return lines.join('\n');
}

function commentId(answer: unknown): string | null {
  if (typeof answer !== 'object' || answer === null || !('id' in answer)) return null;
  const { id } = answer;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}
