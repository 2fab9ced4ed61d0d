import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import { NOTIFICATION_DATABASE, NOTIFICATION_ENTITIES } from './notification.database';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { ChainSyncSender } from './channels/chainsync/chainsync.sender';
import { ChannelRouter } from './channels/channel-router.service';
import { EmailSender } from './channels/email/email.sender';
import { SlackSender } from './channels/slack/slack.sender';
import { DeliveryPlanner } from './deliveries/delivery-planner.service';
import { DeliveryWorker } from './deliveries/delivery.worker';
import { SendCancellationsWhenMeetingCancelled } from './handlers/send-cancellations-when-meeting-cancelled.handler';
import { SendInvitesWhenMeetingScheduled } from './handlers/send-invites-when-meeting-scheduled.handler';
import { SendUpdatesWhenMeetingUpdated } from './handlers/send-updates-when-meeting-updated.handler';
import { NOTIFICATION_SETTINGS, type NotificationSettings, notificationSettingsFromEnv } from './notification.config';

/** The consumers of the meeting topics, for MessagingModule.forService. */
export const NOTIFICATION_HANDLERS = [
  SendInvitesWhenMeetingScheduled,
  SendUpdatesWhenMeetingUpdated,
  SendCancellationsWhenMeetingCancelled,
];

/** Everything the service provides besides messaging; the worker injects the `Outbox` MessagingModule provides. */
export function notificationProviders(settings: NotificationSettings): Provider[] {
  return [
    { provide: NOTIFICATION_SETTINGS, useValue: settings },
    EmailSender,
    SlackSender,
    ChainSyncSender,
    ChannelRouter,
    DeliveryPlanner,
    DeliveryWorker,
    ...NOTIFICATION_HANDLERS,
  ];
}

/** The notification service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class NotificationModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: NotificationModule,
      imports: [
        HealthModule.forService({ name: 'notification', version: runtime.version }, options),
        DatabaseModule.forService({ ...NOTIFICATION_DATABASE, url: runtime.databaseUrl }),
        MessagingModule.forService({ service: 'notification', runtime, handlers: NOTIFICATION_HANDLERS }),
      ],
      providers: notificationProviders(notificationSettingsFromEnv(runtime.env)),
    };
  }
}

export { NOTIFICATION_ENTITIES };
