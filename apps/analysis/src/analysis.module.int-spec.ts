import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnv } from '#libs/config';
import { EVENT_CATALOGUE } from '#libs/contracts';
import { type ConveneEvent, decodeEvent, encodeEvent, InProcessBus } from '#libs/messaging';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { AnalysisModule } from './analysis.module';
import { aReceivedAlert, AUTHORITIES_FILE } from './testing/analysis.fixtures';

describe('AnalysisModule wired to the messaging layer', () => {
  let database: TestDatabase;
  let bus: InProcessBus;
  let app: INestApplicationContext;
  const seen: ConveneEvent[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('analysis_module');
    bus = new InProcessBus();
    await bus.subscribe({
      group: 'test-observer',
      topics: ['alert.analyzed'],
      deliver: (delivery) => {
        seen.push(decodeEvent(delivery));
        return Promise.resolve();
      },
    });
    const env = loadEnv({ AUTHORITIES_CONFIG: AUTHORITIES_FILE });
    app = await NestFactory.createApplicationContext(
      AnalysisModule.register({ env, databaseUrl: database.url, version: 'test', bus }, { http: false }),
      { logger: false },
    );
    bus.open();
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await database?.drop();
  });

  it('consumes alert.received from the bus and publishes alert.analyzed once, even when delivered twice', async () => {
    const event: ConveneEvent<'alert.received'> = {
      id: randomUUID(),
      topic: 'alert.received',
      type: EVENT_CATALOGUE['alert.received'].type,
      source: '/convene/gateway',
      time: new Date().toISOString(),
      subject: 'MOD-A-1',
      traceparent: null,
      tracestate: null,
      data: aReceivedAlert({ alert_id: 'MOD-A-1', alert_type: 'compliance_violation', severity: 'high' }),
    };

    await bus.publish([encodeEvent(event), encodeEvent(event)]);

    const analyzed = await waitFor(() => seen.find((e) => e.subject === 'MOD-A-1'));
    const data = analyzed.data as ConveneEvent<'alert.analyzed'>['data'];
    expect(analyzed.topic).toBe('alert.analyzed');
    expect(data.urgency).toMatchObject({ level: 'HIGH', score: 0.72, duration_minutes: 45 });
    expect(data.attendees.map((attendee) => attendee.role)).toContain('Executive Sponsor');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.filter((e) => e.subject === 'MOD-A-1')).toHaveLength(1);
    expect(await countRows(database.url, 'SELECT count(*)::int AS n FROM analysis.analyses')).toBe(1);
  });
});

async function countRows(url: string, sql: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(sql);
    return result.rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the event');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
