import type { NotificationChannel } from '#libs/contracts';
import type { NotificationSettings } from '../notification.config';
import type { MeetingNotice } from './delivery.entity';

/** A delivery the handler will record: pending, or skipped because its channel has no address. */
export interface DeliveryDraft {
  channel: NotificationChannel;
  recipient: string;
  status: 'pending' | 'skipped';
  last_error: string | null;
}

/** Slack posts to one channel per meeting event; its recipient is the configured webhook. */
export const SLACK_RECIPIENT = 'webhook';

/**
 * The messages one meeting event calls for: an email per attendee, one Slack post, and one
 * ChainSync update per alert the meeting covers — over the channels the urgency level uses.
 */
export function planDeliveries(notice: MeetingNotice, settings: NotificationSettings): DeliveryDraft[] {
  const channels = [...new Set(notice.notification_channels)];
  return channels.flatMap((channel) => draftsFor(channel, notice, settings));
}

function draftsFor(
  channel: NotificationChannel,
  notice: MeetingNotice,
  settings: NotificationSettings,
): DeliveryDraft[] {
  switch (channel) {
    case 'email': {
      // Without SMTP_URL the email is still delivered, as an .eml file, so email is never skipped.
      const addresses = new Set(notice.attendees.map((a) => a.email.trim().toLowerCase()).filter((e) => e !== ''));
      return [...addresses].map((recipient) => pending(channel, recipient));
    }
    case 'slack':
      return [
        settings.slackWebhookUrl
          ? pending(channel, SLACK_RECIPIENT)
          : skipped(channel, SLACK_RECIPIENT, 'SLACK_WEBHOOK_URL is not set'),
      ];
    case 'chainsync': {
      const alertIds = [...new Set(notice.alert_ids.length > 0 ? notice.alert_ids : [notice.alert_id])];
      return alertIds.map((alertId) =>
        settings.chainsyncApiUrl
          ? pending(channel, alertId)
          : skipped(channel, alertId, 'CHAINSYNC_API_URL is not set'),
      );
    }
  }
}

function pending(channel: NotificationChannel, recipient: string): DeliveryDraft {
  return { channel, recipient, status: 'pending', last_error: null };
}

function skipped(channel: NotificationChannel, recipient: string, reason: string): DeliveryDraft {
  return { channel, recipient, status: 'skipped', last_error: reason };
}
