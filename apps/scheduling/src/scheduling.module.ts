import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import { SCHEDULING_DATABASE, SCHEDULING_ENTITIES } from './scheduling.database';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { BuiltinCalendarProvider } from './calendar/builtin-calendar.provider';
import { CalendarProvider } from './calendar/calendar-provider';
import { CircuitBreaker } from './calendar/circuit-breaker';
import { SlotifyCalendarProvider } from './calendar/slotify-calendar.provider';
import { SlotifyClient } from './calendar/slotify.client';
import { TracedCalendarProvider } from './calendar/traced-calendar.provider';
import { MeetingScheduler } from './meetings/meeting-scheduler.service';
import { ScheduleMeetingWhenAlertAnalyzed } from './meetings/schedule-meeting-when-alert-analyzed.handler';
import { SchedulingSettings } from './scheduling-settings';
import { Clock, SystemClock } from './slots/clock';

/** Tables of the scheduling schema. */

/** Consumers the messaging layer subscribes for this service. */
export const SCHEDULING_HANDLERS = [ScheduleMeetingWhenAlertAnalyzed];

/** The service's providers; `Outbox` comes from MessagingModule. */
export function schedulingProviders(settings: SchedulingSettings): Provider[] {
  return [
    { provide: SchedulingSettings, useValue: settings },
    { provide: Clock, useClass: SystemClock },
    BuiltinCalendarProvider,
    {
      provide: CalendarProvider,
      inject: [BuiltinCalendarProvider, Clock],
      useFactory: (builtin: BuiltinCalendarProvider, clock: Clock): CalendarProvider =>
        settings.slotify
          ? new TracedCalendarProvider(
              new SlotifyCalendarProvider(
                new SlotifyClient(settings.slotify),
                new CircuitBreaker(settings.slotify.breakerThreshold, settings.slotify.breakerCooldownMs, clock),
                builtin,
              ),
              'slotify',
            )
          : new TracedCalendarProvider(builtin, 'builtin'),
    },
    MeetingScheduler,
    ...SCHEDULING_HANDLERS,
  ];
}

/** The scheduling service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class SchedulingModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: SchedulingModule,
      imports: [
        HealthModule.forService({ name: 'scheduling', version: runtime.version }, options),
        DatabaseModule.forService({ ...SCHEDULING_DATABASE, url: runtime.databaseUrl }),
        MessagingModule.forService({ service: 'scheduling', runtime, handlers: SCHEDULING_HANDLERS }),
      ],
      providers: schedulingProviders(SchedulingSettings.fromEnv(runtime.env)),
    };
  }
}

export { SCHEDULING_ENTITIES };
