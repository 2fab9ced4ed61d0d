import { Inject, Injectable } from '@nestjs/common';
import type { Delivery } from '../../deliveries/delivery.entity';
import { NOTIFICATION_SETTINGS, type NotificationSettings } from '../../notification.config';
import type { ChannelSender, SendReceipt } from '../channel-sender';
import { DeliveryFailure } from '../delivery-failure.exception';
import { sendJson } from '../http-call';
import { renderSlackMessage } from './slack-message.renderer';

/** Posts the meeting to the team's channel through a Slack incoming webhook. */
@Injectable()
export class SlackSender implements ChannelSender {
  constructor(@Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings) {}

  async send(delivery: Delivery): Promise<SendReceipt> {
    const url = this.settings.slackWebhookUrl;
    if (!url) throw DeliveryFailure.permanent('SLACK.NOT_CONFIGURED', 'SLACK_WEBHOOK_URL is not set');

    const response = await sendJson({
      target: 'Slack webhook',
      url,
      method: 'POST',
      headers: {},
      body: renderSlackMessage(delivery.event_kind, delivery.snapshot),
      timeoutMs: this.settings.worker.requestTimeoutMs,
    });
    await response.body?.cancel();
    // Incoming webhooks answer a plain "ok" and return no message id.
    return { providerMessageId: null };
  }
}
