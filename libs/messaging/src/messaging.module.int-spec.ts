import 'reflect-metadata';
import { type DynamicModule, Injectable, type INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EXAMPLE_PAYLOADS } from '#libs/contracts';
import { loadEnv } from '#libs/config';
import { DatabaseModule, type ServiceName } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule, ReadinessService } from '#libs/telemetry';
import { DataSource, type EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import type { ConveneEvent } from './event';
import type { EventHandler } from './handler';
import { InProcessBus } from './in-process-bus';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { MessagingModule } from './messaging.module';
import { MESSAGING_MIGRATIONS } from './migrations';
import { Outbox, OUTBOX_ROW_COLUMNS } from './outbox';

/** A dependency that lives in the service module, not in MessagingModule. */
@Injectable()
class ReceivedAlerts {
  readonly ids: string[] = [];
}

@Injectable()
class NoteAlertWhenReceived implements EventHandler<'alert.received'> {
  readonly topic = 'alert.received' as const;

  constructor(private readonly received: ReceivedAlerts) {}

  handle(event: ConveneEvent<'alert.received'>, _tx: EntityManager): Promise<void> {
    this.received.ids.push(event.data.alert.alert_id);
    return Promise.resolve();
  }
}

@Module({})
class FakeServiceModule {
  static register(service: ServiceName, runtime: ServiceRuntime, handlers: Type<EventHandler>[]): DynamicModule {
    return {
      module: FakeServiceModule,
      imports: [
        HealthModule.forService({ name: service, version: runtime.version }, { http: false }),
        DatabaseModule.forService({
          service,
          url: runtime.databaseUrl,
          entities: MESSAGING_ENTITIES,
          migrations: MESSAGING_MIGRATIONS,
        }),
        // A poll too slow for any test to wait for: the events below arrive because the relay is woken.
        MessagingModule.forService({ service, runtime, handlers, relay: { pollIntervalMs: 600_000 } }),
      ],
      providers: [ReceivedAlerts, ...handlers],
    };
  }
}

describe('MessagingModule.forService', () => {
  jest.setTimeout(60_000);
  let database: TestDatabase;
  let bus: InProcessBus;
  let gateway: INestApplicationContext;
  let analysis: INestApplicationContext;

  beforeAll(async () => {
    database = await createTestDatabase('messaging_module');
    bus = new InProcessBus();
    const runtime: ServiceRuntime = { env: loadEnv({}), databaseUrl: database.url, version: 'test', bus };
    analysis = await NestFactory.createApplicationContext(
      FakeServiceModule.register('analysis', runtime, [NoteAlertWhenReceived]),
      { logger: false },
    );
    gateway = await NestFactory.createApplicationContext(FakeServiceModule.register('gateway', runtime, []), {
      logger: false,
    });
    bus.open();
  });

  afterAll(async () => {
    await gateway.close();
    await analysis.close();
    await bus.close();
    await database.drop();
  });

  it('delivers an event added through the injected Outbox to the handler of the consuming service', async () => {
    const outbox = gateway.get(Outbox);
    const payload = EXAMPLE_PAYLOADS['alert.received'];

    await gateway
      .get(DataSource)
      .transaction((tx) => outbox.add(tx, 'alert.received', payload, { key: payload.alert.alert_id }));

    expect(await receivedWithin(10_000)).toEqual([payload.alert.alert_id]);
  });

  it('publishes at once an event whose row a statement of the service inserted itself, once told it was added', async () => {
    const outbox = gateway.get(Outbox);
    const payload = { ...EXAMPLE_PAYLOADS['alert.received'], alert: { ...EXAMPLE_PAYLOADS['alert.received'].alert } };
    payload.alert.alert_id = 'ALERT-RAW-ROW';

    const { event, values } = outbox.encode('alert.received', payload, { key: payload.alert.alert_id });
    await gateway
      .get(DataSource)
      .query(`INSERT INTO outbox (${OUTBOX_ROW_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`, values);
    outbox.added();

    expect(event).toMatchObject({ topic: 'alert.received', subject: 'ALERT-RAW-ROW', source: '/convene/gateway' });
    expect(await receivedWithin(10_000)).toContain('ALERT-RAW-ROW');
  });

  async function receivedWithin(ms: number): Promise<string[]> {
    const received = analysis.get(ReceivedAlerts);
    const before = received.ids.length;
    for (let waited = 0; received.ids.length === before && waited < ms; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return received.ids.slice(before);
  }

  it('reports the bus in the readiness checks', async () => {
    const report = await analysis.get(ReadinessService).report();

    expect(report.checks.bus).toEqual({ ok: true });
  });

  it('refuses to add an event whose payload breaks the schema, so nothing invalid is published', async () => {
    const outbox = gateway.get(Outbox);
    const invalid = { ...EXAMPLE_PAYLOADS['alert.received'], revision: -1 };

    await expect(
      gateway.get(DataSource).transaction((tx) => outbox.add(tx, 'alert.received', invalid, { key: 'alert-invalid' })),
    ).rejects.toMatchObject({ code: 'MESSAGING.INVALID_PAYLOAD' });
    let refusal: unknown;
    try {
      outbox.encode('alert.received', invalid, { key: 'alert-invalid' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'MESSAGING.INVALID_PAYLOAD' });
  });
});
