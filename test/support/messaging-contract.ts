import { randomBytes } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type AlertReceivedV1 } from '#libs/contracts';
import {
  type BusTransport,
  encodeEvent,
  type EventHandler,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  MessagingEngine,
  PermanentError,
  RetriableError,
  type RetryPolicy,
} from '#libs/messaging';
import { openServiceDatabase, type ServiceName } from '#libs/persistence';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './database';
import {
  alertReceived,
  alertReceivedMessage,
  type Behaviour,
  CreateEffects1764500000001,
  RecordEffectWhenAlertReceived,
} from './messaging-fixtures';

/** How a transport under test is created; `open` lets publishes through (in-process bus). */
export interface TransportFactory {
  name: string;
  /** A transport for one simulated process; `namespace` is the same across restarts of one test. */
  create(namespace: string): BusTransport;
  open?(transport: BusTransport): void;
}

const FAST_RETRY: Partial<RetryPolicy> = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, budgetMs: 5_000 };

/** A set of services on one test database and one transport, restartable like a process. */
class World {
  private readonly namespace = `t${randomBytes(4).toString('hex')}-`;
  private transport: BusTransport | undefined;
  private engines: MessagingEngine[] = [];
  private readonly sources = new Map<ServiceName, DataSource>();

  constructor(
    private readonly database: TestDatabase,
    private readonly factory: TransportFactory,
  ) {}

  async source(service: ServiceName): Promise<DataSource> {
    const existing = this.sources.get(service);
    if (existing) return existing;
    const dataSource = await openServiceDatabase({
      service,
      url: this.database.url,
      entities: MESSAGING_ENTITIES,
      migrations: [...MESSAGING_MIGRATIONS, CreateEffects1764500000001],
      poolSize: 5,
    });
    this.sources.set(service, dataSource);
    return dataSource;
  }

  get bus(): BusTransport {
    this.transport ??= this.factory.create(this.namespace);
    return this.transport;
  }

  async start(service: ServiceName, handlers: EventHandler[] = []): Promise<MessagingEngine> {
    const engine = new MessagingEngine({
      service,
      dataSource: await this.source(service),
      transport: this.bus,
      handlers,
      retry: FAST_RETRY,
      relay: { pollIntervalMs: 50 },
    });
    await engine.start();
    this.engines.push(engine);
    return engine;
  }

  open(): void {
    this.factory.open?.(this.bus);
  }

  /** Stops every service as a process shutdown would, then closes the transport. */
  async stop(): Promise<void> {
    for (const engine of this.engines.reverse()) await engine.stop();
    this.engines = [];
    await this.transport?.close();
    this.transport = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    for (const dataSource of this.sources.values()) await dataSource.destroy();
  }
}

async function produce(
  engine: MessagingEngine,
  source: DataSource,
  alertId: string,
  revisions: number[],
): Promise<void> {
  for (const revision of revisions) {
    await source.transaction((tx) =>
      engine.outbox.add(tx, 'alert.received', alertReceived(alertId, revision), { key: alertId }),
    );
  }
}

async function effects(
  source: DataSource,
): Promise<{ event_id: string; key: string; revision: number; trace_id: string | null }[]> {
  return source.query<{ event_id: string; key: string; revision: number; trace_id: string | null }[]>(
    'SELECT event_id, key, revision, trace_id FROM effects ORDER BY id',
  );
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function revisionsOf(rows: { key: string; revision: number }[], key: string): number[] {
  return rows.filter((row) => row.key === key).map((row) => row.revision);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/**
 * The delivery guarantees every transport must keep, run against one transport. Needs a real
 * PostgreSQL (TEST_DATABASE_URL).
 */
export function describeBusContract(factory: TransportFactory): void {
  describe(`${factory.name} bus contract`, () => {
    jest.setTimeout(120_000);
    let database: TestDatabase;
    let world: World;
    const exporter = new InMemorySpanExporter();

    beforeAll(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    });

    beforeEach(async () => {
      database = await createTestDatabase('messaging');
      world = new World(database, factory);
    });

    afterEach(async () => {
      await world.destroy();
      await database.drop();
    });

    it('delivers the events of one key in the order they were added', async () => {
      const gateway = await world.start('gateway');
      await world.start('analysis', [new RecordEffectWhenAlertReceived()]);
      world.open();
      const producer = await world.source('gateway');
      const consumer = await world.source('analysis');

      await Promise.all(['alert-a', 'alert-b', 'alert-c'].map((key) => produce(gateway, producer, key, range(1, 15))));

      const rows = await waitFor(
        () => effects(consumer),
        (found) => found.length >= 45,
      );
      for (const key of ['alert-a', 'alert-b', 'alert-c']) expect(revisionsOf(rows, key)).toEqual(range(1, 15));
    });

    it('gives every consuming service its own copy of each event', async () => {
      const gateway = await world.start('gateway');
      await world.start('analysis', [new RecordEffectWhenAlertReceived()]);
      await world.start('audit', [new RecordEffectWhenAlertReceived()]);
      world.open();

      await produce(gateway, await world.source('gateway'), 'alert-fan', range(1, 10));

      const analysisRows = await waitFor(
        async () => effects(await world.source('analysis')),
        (found) => found.length >= 10,
      );
      const auditRows = await waitFor(
        async () => effects(await world.source('audit')),
        (found) => found.length >= 10,
      );
      await settle();
      expect(revisionsOf(await effects(await world.source('analysis')), 'alert-fan')).toEqual(range(1, 10));
      expect(revisionsOf(await effects(await world.source('audit')), 'alert-fan')).toEqual(range(1, 10));
      expect(analysisRows.map((row) => row.event_id)).toEqual(auditRows.map((row) => row.event_id));
    });

    it('applies the effect of a message delivered twice only once', async () => {
      await world.start('analysis', [new RecordEffectWhenAlertReceived()]);
      world.open();
      const message = encodeEvent({
        id: '0d6f7a34-64c3-4f4b-9f3f-5b0a8f6f2a11',
        topic: 'alert.received',
        type: 'com.convene.alert.received.v1',
        source: '/convene/gateway',
        time: new Date().toISOString(),
        subject: 'alert-dup',
        traceparent: null,
        tracestate: null,
        data: alertReceived('alert-dup', 1),
      });

      await world.bus.publish([message]);
      await world.bus.publish([message, message]);
      await world.bus.publish([encodeAfter(message, 2)]);

      const rows = await waitFor(
        async () => effects(await world.source('analysis')),
        (found) => found.length >= 2,
      );
      await settle();
      expect(revisionsOf(await effects(await world.source('analysis')), 'alert-dup')).toEqual([1, 2]);
      expect(rows.filter((row) => row.event_id === '0d6f7a34-64c3-4f4b-9f3f-5b0a8f6f2a11')).toHaveLength(1);
    });

    it('retries a retriable failure and applies the effect once it succeeds', async () => {
      let failuresLeft = 2;
      const flaky = new RecordEffectWhenAlertReceived({
        before: () => {
          if (failuresLeft-- > 0) throw new RetriableError('TEST.UNAVAILABLE', 'dependency answered 503');
        },
      });
      const gateway = await world.start('gateway');
      await world.start('analysis', [flaky]);
      world.open();

      await produce(gateway, await world.source('gateway'), 'alert-flaky', [1]);

      const rows = await waitFor(
        async () => effects(await world.source('analysis')),
        (found) => found.length >= 1,
      );
      expect(revisionsOf(rows, 'alert-flaky')).toEqual([1]);
      expect(failuresLeft).toBe(-1);
      expect(await (await world.source('analysis')).query('SELECT * FROM dead_letters')).toEqual([]);
    });

    it('dead-letters a poison message and keeps delivering the messages after it', async () => {
      const poisoned = new RecordEffectWhenAlertReceived({
        before: (event) => {
          if (event.data.revision === 2) throw new PermanentError('TEST.INVALID', 'revision 2 cannot be processed');
          if (event.data.revision === 4) throw new Error('never recovers');
        },
      });
      const gateway = await world.start('gateway');
      await world.start('analysis', [poisoned]);
      world.open();

      await produce(gateway, await world.source('gateway'), 'alert-poison', range(1, 6));

      const consumer = await world.source('analysis');
      const rows = await waitFor(
        () => effects(consumer),
        (found) => found.length >= 4,
      );
      expect(revisionsOf(rows, 'alert-poison')).toEqual([1, 3, 5, 6]);
      const dead = await consumer.query<{ error_code: string; attempts: number; headers: Record<string, string> }[]>(
        'SELECT error_code, attempts, headers FROM dead_letters ORDER BY id',
      );
      expect(dead.map(({ error_code, attempts }) => ({ error_code, attempts }))).toEqual([
        { error_code: 'TEST.INVALID', attempts: 1 },
        { error_code: 'MESSAGING.HANDLER_FAILED', attempts: 3 },
      ]);
      expect(dead[0]?.headers).toMatchObject({ ce_type: 'com.convene.alert.received.v1', convene_dlq_attempts: '1' });
      const published = await waitFor(
        () =>
          consumer.query<unknown[]>(
            `SELECT topic FROM outbox WHERE topic = 'alert.received.dlq' AND sent_at IS NOT NULL`,
          ),
        (found) => found.length >= 2,
      );
      expect(published).toHaveLength(2);
    });

    it('handles the other messages of a run once and in order when one fails once and another for good', async () => {
      const calls = new Map<number, number>();
      const failing = new RecordEffectWhenAlertReceived({
        before: (event) => {
          const revision = event.data.revision;
          calls.set(revision, (calls.get(revision) ?? 0) + 1);
          if (revision === 7 && calls.get(revision) === 1) {
            throw new RetriableError('TEST.UNAVAILABLE', 'dependency answered 503');
          }
          if (revision === 13) throw new PermanentError('TEST.INVALID', 'revision 13 cannot be processed');
        },
      });
      await world.start('analysis', [failing]);
      world.open();

      // One publish of all twenty: on Kafka they reach the consumer together, as one run.
      await world.bus.publish(range(1, 20).map((revision) => alertReceivedMessage('alert-run', revision)));

      const consumer = await world.source('analysis');
      await waitFor(
        () => effects(consumer),
        (found) => found.length >= 19,
      );
      await settle();
      const rows = await effects(consumer);
      expect(revisionsOf(rows, 'alert-run')).toEqual(range(1, 20).filter((revision) => revision !== 13));
      expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length);
      expect(calls.get(7)).toBe(2);
      expect(await consumer.query('SELECT error_code, attempts FROM dead_letters')).toEqual([
        { error_code: 'TEST.INVALID', attempts: 1 },
      ]);
    });

    it('dead-letters a message whose payload breaks the schema instead of crashing the consumer', async () => {
      await world.start('analysis', [new RecordEffectWhenAlertReceived()]);
      world.open();
      const valid = encodeEvent({
        id: '5f8f2b0e-9d1c-4c55-8a0e-7e2b1f3c4d5e',
        topic: 'alert.received',
        type: 'com.convene.alert.received.v1',
        source: '/convene/gateway',
        time: new Date().toISOString(),
        subject: 'alert-invalid',
        traceparent: null,
        tracestate: null,
        data: alertReceived('alert-invalid', 1),
      });

      await world.bus.publish([{ ...valid, value: JSON.stringify({ revision: 'one' }) }, encodeAfter(valid, 2)]);

      const consumer = await world.source('analysis');
      const rows = await waitFor(
        () => effects(consumer),
        (found) => found.length >= 1,
      );
      expect(revisionsOf(rows, 'alert-invalid')).toEqual([2]);
      expect(await consumer.query('SELECT error_code FROM dead_letters')).toEqual([
        { error_code: 'MESSAGING.INVALID_PAYLOAD' },
      ]);
    });

    it('loses nothing and applies nothing twice when every service restarts mid-stream', async () => {
      const slow = (): Behaviour => async () => new Promise((resolve) => setTimeout(resolve, 2));
      let gateway = await world.start('gateway');
      await world.start('analysis', [new RecordEffectWhenAlertReceived({ before: slow() })]);
      const keys = range(1, 10).map((index) => `alert-restart-${index}`);
      await Promise.all(keys.map(async (key) => produce(gateway, await world.source('gateway'), key, range(1, 30))));
      world.open();
      const consumer = await world.source('analysis');
      await waitFor(
        () => effects(consumer),
        (found) => found.length >= 50,
      );

      await world.stop();
      const midway = (await effects(consumer)).length;
      gateway = await world.start('gateway');
      await world.start('analysis', [new RecordEffectWhenAlertReceived({ before: slow() })]);
      world.open();
      await produce(gateway, await world.source('gateway'), 'alert-restart-after', [1]);

      const rows = await waitFor(
        () => effects(consumer),
        (found) => found.length >= 301,
        60_000,
      );
      // The restart fell mid-stream: not every one of the 300 events was handled before it.
      expect(midway).toBeLessThan(300);
      expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length);
      for (const key of keys) expect(revisionsOf(rows, key)).toEqual(range(1, 30));
    });

    it('lets an in-flight handler finish before stop resolves, and its effect is committed once', async () => {
      const gate = { release: (): void => undefined, entered: (): void => undefined };
      const released = new Promise<void>((resolve) => (gate.release = resolve));
      const inFlight = new Promise<void>((resolve) => (gate.entered = resolve));
      const gateway = await world.start('gateway');
      await world.start('analysis', [
        new RecordEffectWhenAlertReceived({
          before: async () => {
            gate.entered();
            await released;
          },
        }),
      ]);
      await produce(gateway, await world.source('gateway'), 'alert-shutdown', [1]);
      world.open();
      await inFlight;

      let stopped = false;
      const stopping = world.stop().then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stoppedWhileInFlight = stopped;
      gate.release();
      await stopping;
      await world.start('analysis', [new RecordEffectWhenAlertReceived()]);
      world.open();
      await settle();

      expect(stoppedWhileInFlight).toBe(false);
      expect(revisionsOf(await effects(await world.source('analysis')), 'alert-shutdown')).toEqual([1]);
    });

    it('continues the producer trace in the consumer handler', async () => {
      const gateway = await world.start('gateway');
      await world.start('analysis', [new RecordEffectWhenAlertReceived()]);
      world.open();
      const producer = await world.source('gateway');

      const producerTraceId = await trace.getTracer('test').startActiveSpan('webhook', async (span) => {
        await producer.transaction((tx) =>
          gateway.outbox.add(tx, 'alert.received', alertReceived('alert-trace', 1), { key: 'alert-trace' }),
        );
        span.end();
        return span.spanContext().traceId;
      });

      const rows = await waitFor(
        async () => effects(await world.source('analysis')),
        (found) => found.length >= 1,
      );
      expect(rows[0]?.trace_id).toBe(producerTraceId);
      expect(
        exporter
          .getFinishedSpans()
          .some((span) => span.name === 'consume alert.received' && span.spanContext().traceId === producerTraceId),
      ).toBe(true);
    });
  });
}

/** The same event with another id and revision, as the next change of the alert. */
function encodeAfter(message: ReturnType<typeof encodeEvent>, revision: number): ReturnType<typeof encodeEvent> {
  const data = { ...(JSON.parse(message.value) as AlertReceivedV1), revision };
  return {
    ...message,
    value: JSON.stringify(data),
    headers: {
      ...message.headers,
      ce_id: `${message.headers.ce_id?.slice(0, -4) ?? ''}${String(revision).padStart(4, '0')}`,
    },
  };
}

/** Gives a transport time to deliver anything extra (a duplicate) before the test counts. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}
