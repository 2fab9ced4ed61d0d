import { type DynamicModule, Injectable, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnv } from '#libs/config';
import {
  type ConveneEvent,
  encodeEvent,
  type EventHandler,
  InProcessBus,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  MessagingModule,
  PermanentError,
} from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { AuditModule } from './audit.module';
import { PipelineStatusService } from './pipeline-status.service';
import {
  alertAnalyzed,
  alertReceived,
  aMeeting,
  anAlert,
  meetingCancelled,
  meetingScheduled,
  notificationOutcome,
} from './testing/audit-events.factory';

const HOUR = 3_600_000;

/** A scheduling consumer that gives up on every analysis, quoting a URL with a token as a careless driver would. */
@Injectable()
class RefuseAnalysisWhenReceived implements EventHandler<'alert.analyzed'> {
  readonly topic = 'alert.analyzed' as const;

  handle(): Promise<void> {
    return Promise.reject(
      new PermanentError(
        'CALENDAR.REJECTED',
        'calendar https://cal.example/v1/book?token=tok-secret-1 refused; api_key=sk-live-2',
      ),
    );
  }
}

@Module({})
class RefusingSchedulingModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: RefusingSchedulingModule,
      imports: [
        HealthModule.forService({ name: 'scheduling', version: 'test' }, { http: false }),
        DatabaseModule.forService({
          service: 'scheduling',
          url: runtime.databaseUrl,
          entities: MESSAGING_ENTITIES,
          migrations: MESSAGING_MIGRATIONS,
        }),
        MessagingModule.forService({
          service: 'scheduling',
          runtime,
          handlers: [RefuseAnalysisWhenReceived],
          relay: { pollIntervalMs: 50 },
        }),
      ],
      providers: [RefuseAnalysisWhenReceived],
    };
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('PipelineStatusService on the in-process bus', () => {
  jest.setTimeout(60_000);
  let database: TestDatabase;
  let bus: InProcessBus;
  let audit: INestApplicationContext;
  let scheduling: INestApplicationContext;
  let pipeline: PipelineStatusService;

  beforeAll(async () => {
    database = await createTestDatabase('pipeline_status');
    bus = new InProcessBus();
    const runtime: ServiceRuntime = { env: loadEnv({}), databaseUrl: database.url, version: 'test', bus };
    audit = await NestFactory.createApplicationContext(AuditModule.register(runtime, { http: false }), {
      logger: ['error'],
    });
    scheduling = await NestFactory.createApplicationContext(RefusingSchedulingModule.register(runtime), {
      logger: false,
    });
    bus.open();
    pipeline = audit.get(PipelineStatusService);
  });

  afterAll(async () => {
    await scheduling?.close();
    await audit?.close();
    await bus?.close();
    await database?.drop();
  });

  it("shows a consumer's dead letter as its service's last error, counted once, secrets scrubbed", async () => {
    const alert = anAlert();

    await bus.publish([encodeEvent(alertAnalyzed(alert))]);
    await until(async () => (await pipeline.status(24)).services.scheduling.dead_letters.total === 1);

    const [deadLetter] = await scheduling
      .get(DataSource)
      .query<{ topic: string; key: string; value: string; headers: Record<string, string> }[]>(
        'SELECT topic, key, value, headers FROM dead_letters',
      );
    // The same dead letter delivered again (a redelivery after a crash) must not count twice.
    await bus.publish([{ ...deadLetter, topic: 'alert.analyzed.dlq' }]);
    const status = await pipeline.status(24);

    expect(status.stages.dead_lettered).toEqual({ window: 1, total: 1 });
    expect(status.services.scheduling).toEqual({
      dead_letters: { window: 1, total: 1 },
      last_error: {
        at: expect.any(String) as string,
        code: 'CALENDAR.REJECTED',
        message: 'calendar https://cal.example/[redacted] refused; api_key=[redacted]',
        source: 'dead_letter',
        topic: 'alert.analyzed',
        alert_id: alert.alert_id,
      },
    });
    expect(status.services.analysis).toEqual({ dead_letters: { window: 0, total: 0 }, last_error: null });
  });

  it('counts each stage an alert reached, and leaves what happened before the window out of the window', async () => {
    const before = (await pipeline.status(24)).stages;
    const fresh = anAlert();
    const old = anAlert();
    const oldTime = new Date(Date.now() - 48 * HOUR).toISOString();
    const meeting = aMeeting(fresh.alert_id);
    const cancelled = aMeeting(fresh.alert_id, { meeting_id: meeting.meeting_id, sequence: 1 });
    const events: ConveneEvent[] = [
      alertReceived(fresh),
      alertAnalyzed(fresh),
      meetingScheduled(meeting),
      notificationOutcome('notification.delivered', meeting),
      notificationOutcome('notification.failed', meeting, { channel: 'slack', recipient: '#incidents' }),
      meetingCancelled(cancelled),
      alertReceived(old, { received_at: oldTime }),
      alertAnalyzed(old, { received_at: oldTime }),
    ];

    for (const event of events) await bus.publish([encodeEvent(event)]);
    const stages = (await pipeline.status(24)).stages;

    const grew = (stage: keyof typeof stages) => ({
      window: stages[stage].window - before[stage].window,
      total: stages[stage].total - before[stage].total,
    });
    expect(grew('received')).toEqual({ window: 1, total: 2 });
    expect(grew('analyzed')).toEqual({ window: 1, total: 2 });
    expect(grew('scheduled')).toEqual({ window: 1, total: 1 });
    expect(grew('notified')).toEqual({ window: 1, total: 1 });
    expect(grew('notification_failed')).toEqual({ window: 1, total: 1 });
    expect(grew('cancelled')).toEqual({ window: 1, total: 1 });
  });

  it("makes a final notification failure the notification service's last error, with its code", async () => {
    const meeting = aMeeting(anAlert().alert_id);
    const failed = notificationOutcome('notification.failed', meeting, {
      channel: 'slack',
      recipient: '#incidents',
      error: 'HTTP.403: Slack answered 403 for https://hooks.slack.com/services/T0/B0/secretpath',
    });

    await bus.publish([encodeEvent(failed)]);
    const { services } = await pipeline.status(24);

    expect(services.notification.last_error).toEqual({
      at: failed.data.at,
      code: 'HTTP.403',
      message: 'slack to #incidents: Slack answered 403 for https://hooks.slack.com/[redacted]',
      source: 'notification.failed',
      topic: 'notification.failed',
      alert_id: meeting.alert_id,
    });
    expect(services.notification.dead_letters).toEqual({ window: 0, total: 0 });
  });
});
