import { EXAMPLE_PAYLOADS } from '#libs/contracts';
import {
  type BusTransport,
  type ConveneEvent,
  type EventHandler,
  InProcessBus,
  KafkaBus,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  MessagingEngine,
} from '#libs/messaging';
import { openServiceDatabase } from '#libs/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { createTestDatabase } from '../test/support/database';
import { recordResult } from './support/results';

// Messages per second through outbox → bus → inbox on this machine.
//   BENCH_TRANSPORT=kafka|in-process (default kafka), BENCH_MESSAGES (default 5000), BENCH_KEYS (default 100).
const TRANSPORT = process.env.BENCH_TRANSPORT ?? 'kafka';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5_000);
const KEYS = Number(process.env.BENCH_KEYS ?? 100);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

class NothingMoreWhenAlertReceived implements EventHandler<'alert.received'> {
  readonly topic = 'alert.received' as const;

  handle(_event: ConveneEvent<'alert.received'>, _tx: EntityManager): Promise<void> {
    return Promise.resolve();
  }
}

function createTransport(): BusTransport {
  if (TRANSPORT === 'in-process') return new InProcessBus();
  return new KafkaBus({ brokers, clientId: 'convene-bench', namespace: `bench${Date.now()}-`, partitions: 6 });
}

async function fillOutbox(engine: MessagingEngine, source: DataSource): Promise<void> {
  const example = EXAMPLE_PAYLOADS['alert.received'];
  for (let start = 0; start < MESSAGES; start += 250) {
    await source.transaction(async (tx) => {
      for (let index = start; index < Math.min(MESSAGES, start + 250); index += 1) {
        const alertId = `bench-alert-${index % KEYS}`;
        const data = { ...example, alert: { ...example.alert, alert_id: alertId }, revision: index };
        await engine.outbox.add(tx, 'alert.received', data, { key: alertId });
      }
    });
  }
}

it(`measures outbox → ${TRANSPORT} → inbox throughput`, async () => {
  const database = await createTestDatabase('bench');
  const open = (service: 'gateway' | 'analysis'): Promise<DataSource> =>
    openServiceDatabase({ service, url: database.url, entities: MESSAGING_ENTITIES, migrations: MESSAGING_MIGRATIONS });
  const producerSource = await open('gateway');
  const consumerSource = await open('analysis');
  const transport = createTransport();
  const producer = new MessagingEngine({ service: 'gateway', dataSource: producerSource, transport, handlers: [] });
  const consumer = new MessagingEngine({
    service: 'analysis',
    dataSource: consumerSource,
    transport,
    handlers: [new NothingMoreWhenAlertReceived()],
  });
  await fillOutbox(producer, producerSource);
  await consumer.start();

  const started = performance.now();
  await producer.start();
  if (transport instanceof InProcessBus) transport.open();
  let processed = 0;
  while (processed < MESSAGES) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [row] = await consumerSource.query<{ count: string }[]>('SELECT count(*) FROM inbox');
    processed = Number(row?.count ?? 0);
  }
  const seconds = (performance.now() - started) / 1_000;

  const perSecond = Math.round(MESSAGES / seconds);
  recordResult({
    bench: 'messaging-throughput',
    summary: `outbox → ${TRANSPORT} → inbox: ${MESSAGES} messages over ${KEYS} keys in ${seconds.toFixed(1)} s = ${perSecond} messages/s`,
    rows: [{ item: 7, measure: `outbox → ${TRANSPORT} → inbox, ${KEYS} keys`, value: `${perSecond} messages/s` }],
  });
  await consumer.stop();
  await producer.stop();
  await transport.close();
  await producerSource.destroy();
  await consumerSource.destroy();
  await database.drop();
  expect(processed).toBe(MESSAGES);
});
