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
      topics: ['meeting.scheduled', 'meeting.updated', 'meeting.cancelled'],
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

  it('escalates, ignores a redelivery of, and cancels the same meeting through the bus', async () => {
    const receivedAt = new Date();
    // Systems of its own, so that it does not join the first test's open meeting.
    const systems = ['mod-2-ledger'];
    const first = analyzedEvent({
      alertId: 'MOD-2',
      level: 'MEDIUM',
      systems,
      receivedAt,
      attendees: [attendee('ada@example.com')],
    });
    const escalation = analyzedEvent({
      alertId: 'MOD-2',
      level: 'CRITICAL',
      change: 'escalated',
      revision: 2,
      systems,
      receivedAt,
      attendees: [attendee('ada@example.com'), attendee('boss@example.com', 'Management')],
    });
    const resolution = analyzedEvent({ alertId: 'MOD-2', change: 'resolved', revision: 3, systems, receivedAt });
    const ofAlert = (): ConveneEvent[] => seen.filter((e) => e.subject === 'MOD-2');

    await bus.publish([encodeEvent(first)]);
    await waitFor(() => ofAlert().find((e) => e.topic === 'meeting.scheduled'));
    await bus.publish([encodeEvent(escalation), encodeEvent(first), encodeEvent(escalation)]);
    await waitFor(() => ofAlert().find((e) => e.topic === 'meeting.updated'));
    await bus.publish([encodeEvent(resolution)]);
    await waitFor(() => ofAlert().find((e) => e.topic === 'meeting.cancelled'));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const events = ofAlert();
    const meetingIds = events.map((e) => (e.data as { meeting_id: string }).meeting_id);
    const sequences = events.map((e) => (e.data as { invite: { sequence: number } }).invite.sequence);
    const updated = events[1]?.data as ConveneEvent<'meeting.updated'>['data'];
    expect(events.map((e) => e.topic)).toEqual(['meeting.scheduled', 'meeting.updated', 'meeting.cancelled']);
    expect(new Set(meetingIds).size).toBe(1);
    expect(sequences).toEqual([0, 1, 2]);
    expect(updated.attendees.map((a) => a.email)).toEqual(['ada@example.com', 'boss@example.com']);
    expect((events[2]?.data as { invite_ics: string }).invite_ics).toContain('METHOD:CANCEL');
  }, 30_000);
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
