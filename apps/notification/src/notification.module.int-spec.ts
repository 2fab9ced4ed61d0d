import 'reflect-metadata';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnv } from '#libs/config';
import { type ConveneEvent, decodeEvent, encodeEvent, InProcessBus } from '#libs/messaging';
import type { ServiceRuntime } from '#libs/runtime';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { Delivery } from './deliveries/delivery.entity';
import { NotificationModule } from './notification.module';
import { LocalHttpServer } from './testing/local-http.server';
import { buildMeeting, meetingEvent } from './testing/meeting.factory';

jest.setTimeout(60_000);

/**
 * The service as the embedded process hosts it: NotificationModule.register on a fresh database,
 * MessagingModule on an in-process bus, events in and out through the real outbox and inbox.
 */
describe('NotificationModule on the bus', () => {
  let database: TestDatabase;
  let dataDir: string;
  let slack: LocalHttpServer;
  let bus: InProcessBus;
  let app: INestApplicationContext;
  const published: ConveneEvent[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('notification_module');
    dataDir = await mkdtemp(join(tmpdir(), 'convene-notification-'));
    slack = await LocalHttpServer.start();
    bus = new InProcessBus();
    const env = loadEnv({ DATA_DIR: dataDir, SLACK_WEBHOOK_URL: `${slack.url}/hook`, NOTIFY_FROM: 'ops@convene.test' });
    const runtime: ServiceRuntime = { env, databaseUrl: database.url, version: 'test', bus };
    app = await NestFactory.createApplicationContext(NotificationModule.register(runtime, { http: false }), {
      logger: false,
    });
    await bus.subscribe({
      group: 'test-observer',
      topics: ['notification.delivered', 'notification.failed'],
      deliver: (message) => {
        published.push(decodeEvent(message));
        return Promise.resolve();
      },
    });
    bus.open();
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await slack?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('turns a meeting.scheduled from the bus into .eml invites, a Slack post and published outcomes', async () => {
    const meeting = buildMeeting();

    await bus.publish([encodeEvent(meetingEvent('meeting.scheduled', meeting))]);
    await waitFor(() => published.filter((e) => e.topic === 'notification.delivered').length === 4);

    expect((await readdir(join(dataDir, 'outbox'))).filter((f) => f.endsWith('.eml'))).toHaveLength(3);
    expect(slack.requests).toHaveLength(1);
    const rows = await app
      .get(DataSource)
      .getRepository(Delivery)
      .find({ where: { meeting_id: meeting.meeting_id } });
    expect(rows.map((r) => `${r.channel}:${r.status}`).sort()).toEqual([
      'chainsync:skipped',
      'email:sent',
      'email:sent',
      'email:sent',
      'slack:sent',
    ]);
    expect(published.every((e) => e.subject === meeting.alert_id && e.source === '/convene/notification')).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
