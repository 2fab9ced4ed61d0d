import { EXAMPLE_PAYLOADS } from '#libs/contracts';
import { openServiceDatabase } from '#libs/persistence';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { CreateEffects1764500000001, RecordEffectWhenAlertReceived } from '../../../test/support/messaging-fixtures';
import { createPrivateKafka, type PrivateKafka, privateKafkaAvailable } from '../../../test/support/private-kafka';
import { KafkaBus } from './kafka-bus';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { MessagingEngine } from './messaging-engine';
import { MESSAGING_MIGRATIONS } from './migrations';

const MESSAGES = 5_000;
const KEYS = 50;

async function fillOutbox(engine: MessagingEngine, source: DataSource): Promise<void> {
  const example = EXAMPLE_PAYLOADS['alert.received'];
  for (let start = 0; start < MESSAGES; start += 250) {
    await source.transaction(async (tx) => {
      for (let index = start; index < start + 250; index += 1) {
        const alertId = `restart-${index % KEYS}`;
        await engine.outbox.add(
          tx,
          'alert.received',
          { ...example, alert: { ...example.alert, alert_id: alertId }, revision: index },
          { key: alertId },
        );
      }
    });
  }
}

async function countEffects(source: DataSource): Promise<{ total: number; distinct: number }> {
  const [row] = await source.query<{ total: string; distinct: string }[]>(
    'SELECT count(*) AS total, count(DISTINCT event_id) AS distinct FROM effects',
  );
  return { total: Number(row?.total ?? 0), distinct: Number(row?.distinct ?? 0) };
}

async function waitForEffects(source: DataSource, atLeast: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await countEffects(source)).total < atLeast && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
}

const describeWithJars = privateKafkaAvailable() ? describe : describe.skip;

describeWithJars('Kafka bus across a broker restart', () => {
  jest.setTimeout(170_000);
  let kafka: PrivateKafka;
  let database: TestDatabase;
  let sources: DataSource[] = [];

  beforeAll(async () => {
    kafka = await createPrivateKafka();
    await kafka.start();
    database = await createTestDatabase('broker_restart');
  });

  afterAll(async () => {
    for (const source of sources) await source.destroy();
    await database?.drop();
    await kafka?.destroy();
  });

  it('loses no message and applies no effect twice when the broker restarts during 5,000 messages', async () => {
    const open = (service: 'gateway' | 'analysis'): Promise<DataSource> =>
      openServiceDatabase({
        service,
        url: database.url,
        entities: MESSAGING_ENTITIES,
        migrations: [...MESSAGING_MIGRATIONS, CreateEffects1764500000001],
      });
    const [producerSource, consumerSource] = [await open('gateway'), await open('analysis')];
    sources = [producerSource, consumerSource];
    const transport = new KafkaBus({ brokers: kafka.brokers, clientId: 'convene-restart-test', partitions: 6 });
    const producer = new MessagingEngine({ service: 'gateway', dataSource: producerSource, transport, handlers: [] });
    const consumer = new MessagingEngine({
      service: 'analysis',
      dataSource: consumerSource,
      transport,
      handlers: [new RecordEffectWhenAlertReceived()],
    });
    await fillOutbox(producer, producerSource);
    await consumer.start();
    await producer.start();

    await waitForEffects(consumerSource, 500, 60_000);
    const beforeRestart = await countEffects(consumerSource);
    await kafka.stop();
    const restarted = Date.now();
    await kafka.start();
    console.log(`broker down for ${Date.now() - restarted} ms after ${beforeRestart.total} effects`);
    await waitForEffects(consumerSource, MESSAGES, 90_000);

    const after = await countEffects(consumerSource);
    await consumer.stop();
    await producer.stop();
    await transport.close();
    expect(beforeRestart.total).toBeLessThan(MESSAGES);
    expect(after).toEqual({ total: MESSAGES, distinct: MESSAGES });
    const outOfOrder = await consumerSource.query<unknown[]>(
      `SELECT 1 FROM (SELECT revision, lag(revision) OVER (PARTITION BY key ORDER BY id) AS previous FROM effects) ordered
        WHERE previous > revision`,
    );
    expect(outOfOrder).toEqual([]);
  });
});
