import { randomBytes } from 'node:crypto';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { openServiceDatabase } from '#libs/persistence';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import {
  alertReceivedMessage,
  CreateEffects1764500000001,
  RecordEffectWhenAlertReceived,
} from '../../../test/support/messaging-fixtures';
import { RetriableError } from './errors';
import type { EventHandler } from './handler';
import { InboxConsumer } from './inbox-consumer';
import { KafkaBus } from './kafka-bus';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { ALL_TOPICS, MessagingEngine } from './messaging-engine';
import { MESSAGING_MIGRATIONS } from './migrations';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import type { BusMessage } from './transport';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const KEY = 'alert-run';

interface Effect {
  event_id: string;
  revision: number;
  txid: string;
}

function alertReceived(revision: number): BusMessage {
  return alertReceivedMessage(KEY, revision);
}

/** The service's messaging tables and the effects table, on a test database of its own. */
function openEffectsDatabase(database: TestDatabase, service: 'analysis' | 'audit'): Promise<DataSource> {
  return openServiceDatabase({
    service,
    url: database.url,
    entities: MESSAGING_ENTITIES,
    migrations: [...MESSAGING_MIGRATIONS, CreateEffects1764500000001],
    poolSize: 5,
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/** How many effects each transaction wrote, in the order the transactions committed. */
function eventsPerTransaction(rows: Effect[]): number[] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.txid, (counts.get(row.txid) ?? 0) + 1);
  return [...counts.values()];
}

function spanOf(spans: ReadableSpan[], eventId: string): ReadableSpan[] {
  return spans.filter(
    (span) => span.name === 'consume alert.received' && span.attributes['messaging.message.id'] === eventId,
  );
}

describe('Inbox consumer on Kafka, runs of messages of one partition', () => {
  jest.setTimeout(90_000);
  const exporter = new InMemorySpanExporter();
  let database: TestDatabase;
  let source: DataSource;
  let transport: KafkaBus;
  let engine: MessagingEngine | undefined;

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
  });

  beforeEach(async () => {
    exporter.reset();
    database = await createTestDatabase('inbox_runs');
    source = await openEffectsDatabase(database, 'analysis');
    transport = new KafkaBus({
      brokers,
      clientId: 'convene-inbox-runs-test',
      namespace: `t${randomBytes(4).toString('hex')}-`,
      partitions: 1,
    });
    await transport.connect(ALL_TOPICS);
  });

  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    await transport.close();
    await source.destroy();
    await database.drop();
  });

  /** Publishes the messages before the consumer starts, so its first fetch holds them all. */
  async function consume(messages: BusMessage[], handler: EventHandler): Promise<void> {
    await transport.publish(messages);
    engine = new MessagingEngine({
      service: 'analysis',
      dataSource: source,
      transport,
      handlers: [handler],
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, budgetMs: 5_000 },
    });
    await engine.start();
  }

  function effects(): Promise<Effect[]> {
    return source.query<Effect[]>('SELECT event_id, revision, txid FROM effects ORDER BY id');
  }

  async function settled(count: number): Promise<Effect[]> {
    await waitFor(effects, (rows) => rows.length >= count);
    await sleep(500);
    return effects();
  }

  it('handles a run of fast messages in order, several in one transaction, and ends each span as committed', async () => {
    const messages = range(1, 30).map(alertReceived);

    await consume(messages, new RecordEffectWhenAlertReceived());

    const rows = await settled(30);
    expect(rows.map((row) => row.revision)).toEqual(range(1, 30));
    expect(Math.max(...eventsPerTransaction(rows))).toBeGreaterThan(1);
    const [inbox] = await source.query<{ count: string }[]>('SELECT count(*) FROM inbox');
    expect(Number(inbox?.count)).toBe(30);
    const spans = messages.map((message) => spanOf(exporter.getFinishedSpans(), message.headers.ce_id ?? ''));
    expect(spans.map((ofMessage) => ofMessage.map((span) => span.status.code))).toEqual(
      messages.map(() => [SpanStatusCode.UNSET]),
    );
    const shared = spans.flat().map((span) => Number(span.attributes['convene.inbox.transaction_events'] ?? 1));
    expect(Math.max(...shared)).toBeGreaterThan(1);
  });

  it('rolls back the whole transaction when a handler fails mid-run and applies every message once, in order', async () => {
    const messages = range(1, 20).map(alertReceived);
    let failuresLeft = 1;
    const failsOnceAfterWriting = new RecordEffectWhenAlertReceived({
      after: (event) => {
        if (event.data.revision === 10 && failuresLeft-- > 0) {
          throw new RetriableError('TEST.UNAVAILABLE', 'dependency answered 503');
        }
      },
    });

    await consume(messages, failsOnceAfterWriting);

    const rows = await settled(20);
    expect(rows.map((row) => row.revision)).toEqual(range(1, 20));
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(20);
    expect(failuresLeft).toBe(-1);
    expect(await source.query('SELECT * FROM dead_letters')).toEqual([]);
    const spans = exporter.getFinishedSpans();
    const rolledBack = spans.filter((span) =>
      span.events.some((e) => e.name === 'run rolled back; retried one by one'),
    );
    // The failing message shared its transaction with earlier ones, and all of them were rolled back.
    expect(rolledBack.length).toBeGreaterThan(1);
    expect(rolledBack.every((span) => span.status.code === SpanStatusCode.ERROR)).toBe(true);
    const tenth = spanOf(spans, messages[9]?.headers.ce_id ?? '');
    expect(tenth.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    for (const span of rolledBack) {
      const retried = spanOf(spans, String(span.attributes['messaging.message.id']));
      expect(retried.filter((attempt) => attempt.status.code === SpanStatusCode.UNSET)).toHaveLength(1);
    }
  });

  it('commits a run of slow messages in several transactions, the first before the run is over', async () => {
    const messages = range(1, 6).map(alertReceived);

    await consume(messages, new RecordEffectWhenAlertReceived({ after: () => sleep(100) }));

    const first = await waitFor(effects, (rows) => rows.length >= 1);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(6);
    const rows = await settled(6);
    expect(rows.map((row) => row.revision)).toEqual(range(1, 6));
    expect(eventsPerTransaction(rows)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('gives every message its own transaction when the handler asks for one', async () => {
    class LocksAcrossEvents extends RecordEffectWhenAlertReceived {
      readonly ownTransaction = true;
    }

    await consume(range(1, 20).map(alertReceived), new LocksAcrossEvents());

    const rows = await settled(20);
    expect(rows.map((row) => row.revision)).toEqual(range(1, 20));
    expect(eventsPerTransaction(rows)).toEqual(range(1, 20).map(() => 1));
  });
});

describe('Inbox consumer and a handler that deduplicates by itself', () => {
  let database: TestDatabase;
  let source: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('inbox_self_dedup');
    source = await openEffectsDatabase(database, 'audit');
  });

  afterAll(async () => {
    await source.destroy();
    await database.drop();
  });

  async function deliverTwice(handler: EventHandler): Promise<{ effects: number; inboxRows: number }> {
    await source.query('TRUNCATE effects, inbox');
    const consumer = new InboxConsumer(source, 'convene-audit', [handler], DEFAULT_RETRY_POLICY);
    const message = alertReceived(1);
    const delivery = { ...message, position: 'alert.received/0/1', heartbeat: () => Promise.resolve() };
    await consumer.deliver(delivery);
    await consumer.deliver(delivery);
    const [counts] = await source.query<{ effects: string; inbox: string }[]>(
      'SELECT (SELECT count(*) FROM effects) AS effects, (SELECT count(*) FROM inbox) AS inbox',
    );
    return { effects: Number(counts?.effects), inboxRows: Number(counts?.inbox) };
  }

  it('writes no inbox row for it and hands it the redelivery, where an ordinary handler gets one call', async () => {
    class DeduplicatesItself extends RecordEffectWhenAlertReceived {
      readonly deduplicatesItself = true;
    }

    expect(await deliverTwice(new DeduplicatesItself())).toEqual({ effects: 2, inboxRows: 0 });
    expect(await deliverTwice(new RecordEffectWhenAlertReceived())).toEqual({ effects: 1, inboxRows: 1 });
  });
});
