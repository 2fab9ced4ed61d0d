import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnv } from '#libs/config';
import { type ConveneEvent, encodeEvent, InProcessBus } from '#libs/messaging';
import type { ServiceRuntime } from '#libs/runtime';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { AuditModule } from './audit.module';
import { AuditQueryService } from './audit-query.service';
import {
  alertAnalyzed,
  alertReceived,
  aMeeting,
  anAlert,
  meetingScheduled,
  notificationOutcome,
} from './testing/audit-events.factory';

describe('AuditModule on the in-process bus', () => {
  jest.setTimeout(60_000);
  let database: TestDatabase;
  let bus: InProcessBus;
  let audit: INestApplicationContext;

  beforeAll(async () => {
    database = await createTestDatabase('audit_module');
    bus = new InProcessBus();
    const runtime: ServiceRuntime = { env: loadEnv({}), databaseUrl: database.url, version: 'test', bus };
    audit = await NestFactory.createApplicationContext(AuditModule.register(runtime, { http: false }), {
      logger: ['error', 'warn'],
    });
    bus.open();
  });

  afterAll(async () => {
    await audit.close();
    await bus.close();
    await database.drop();
  });

  async function logSize(): Promise<number> {
    const [row] = await audit.get(DataSource).query<{ n: number }[]>('SELECT count(*)::int AS n FROM audit_log');
    return row.n;
  }

  it('audits every topic published on the bus, once each, and answers queries in-process', async () => {
    const alert = anAlert();
    const meeting = aMeeting(alert.alert_id);
    const events: ConveneEvent[] = [
      alertReceived(alert),
      alertAnalyzed(alert),
      meetingScheduled(meeting),
      notificationOutcome('notification.delivered', meeting),
    ];

    // One key, so one lane: the redelivered first event is handled before the last one arrives.
    await bus.publish([events[0], ...events].map((event) => encodeEvent(event)));
    for (let waited = 0; (await logSize()) < events.length && waited < 15_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const queries = audit.get(AuditQueryService);
    expect(await logSize()).toBe(events.length);
    expect(await queries.alert(alert.alert_id)).toMatchObject({
      alert_id: alert.alert_id,
      meeting_id: meeting.meeting_id,
      timeline: events.map((event): unknown => expect.objectContaining({ event_id: event.id })),
    });
    expect(await queries.verifyChain()).toMatchObject({ ok: true, checked: events.length });
  });
});
