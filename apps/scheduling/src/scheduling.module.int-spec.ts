import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnv } from '#libs/config';
import { type ConveneEvent, decodeEvent, encodeEvent, InProcessBus } from '#libs/messaging';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { SchedulingModule } from './scheduling.module';
import { analyzedEvent, attendee } from './testing/analyzed-event.factory';

describe('SchedulingModule wired to the messaging layer', () => {
  let database: TestDatabase;
  let bus: InProcessBus;
  let app: INestApplicationContext;
  const seen: ConveneEvent[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('scheduling_module');
    bus = new InProcessBus();
    await bus.subscribe({
      group: 'test-observer',
      topics: ['meeting.scheduled'],
      deliver: (delivery) => {
        seen.push(decodeEvent(delivery));
        return Promise.resolve();
      },
    });
    const env = loadEnv({
      PUBLIC_URL: 'https://convene.test',
      AUTHORITIES_CONFIG: join(__dirname, '../../../config/alert_authorities.yaml'),
    });
    app = await NestFactory.createApplicationContext(
      SchedulingModule.register({ env, databaseUrl: database.url, version: 'test', bus }, { http: false }),
      { logger: false },
    );
    bus.open();
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await database?.drop();
  });

  it('consumes alert.analyzed from the bus and publishes meeting.scheduled with an invite', async () => {
    const event = analyzedEvent({
      alertId: 'MOD-1',
      level: 'CRITICAL',
      receivedAt: new Date(),
      attendees: [attendee('ada@example.com')],
    });

    await bus.publish([encodeEvent(event)]);

    const scheduled = await waitFor(() => seen.find((e) => e.topic === 'meeting.scheduled'));
    const data = scheduled.data as ConveneEvent<'meeting.scheduled'>['data'];
    expect(scheduled.subject).toBe('MOD-1');
    expect(data.alert_ids).toEqual(['MOD-1']);
    expect(data.url).toBe(`https://convene.test/meetings/${data.meeting_id}`);
    expect(Date.parse(data.start)).toBeGreaterThan(Date.parse(event.data.received_at));
    expect(data.invite_ics).toContain('METHOD:REQUEST');
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the event');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
