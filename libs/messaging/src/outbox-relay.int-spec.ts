import { openServiceDatabase } from '#libs/persistence';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { alertReceived } from '../../../test/support/messaging-fixtures';
import { InProcessBus } from './in-process-bus';
import { MESSAGING_ENTITIES } from './messaging.entities';
import { MESSAGING_MIGRATIONS } from './migrations';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from './outbox-relay';
import { TransactionalOutbox } from './transactional-outbox';
import type { Delivery } from './transport';

describe('OutboxRelay on PostgreSQL', () => {
  let database: TestDatabase;
  let source: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('outbox_relay');
    source = await openServiceDatabase({
      service: 'gateway',
      url: database.url,
      entities: MESSAGING_ENTITIES,
      migrations: MESSAGING_MIGRATIONS,
      poolSize: 4,
    });
  });

  afterAll(async () => {
    await source.destroy();
    await database.drop();
  });

  it('publishes a row committed while a round is publishing right after that round, not at the next poll', async () => {
    const bus = new InProcessBus();
    const outbox = new TransactionalOutbox('gateway');
    const add = (alertId: string) =>
      source.transaction((tx) =>
        outbox.add(tx, 'alert.received', alertReceived(alertId, 1), { key: alertId }).then(() => undefined),
      );
    const delivered: { key: string; at: number }[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    await bus.subscribe({
      group: 'convene-analysis',
      topics: ['alert.received'],
      deliver: async (delivery: Delivery) => {
        if (delivery.key === 'ALERT-FIRST') await firstHeld;
        delivered.push({ key: delivery.key, at: Date.now() });
      },
    });
    bus.open();
    const relay = new OutboxRelay(source, bus, { ...DEFAULT_RELAY_OPTIONS, pollIntervalMs: 600_000 }, 'gateway');
    relay.start();
    try {
      await add('ALERT-FIRST');
      // The first round is now publishing (its consumer holds it); the second row commits meanwhile.
      await waitUntil(() => bus.lag('convene-analysis', ['alert.received']).then((lag) => lag['alert.received'] > 0));
      await add('ALERT-SECOND');
      const releasedAt = Date.now();
      releaseFirst();

      await waitUntil(() => Promise.resolve(delivered.length === 2), 10_000);
      expect(delivered.map((entry) => entry.key)).toEqual(['ALERT-FIRST', 'ALERT-SECOND']);
      expect((delivered[1]?.at ?? Infinity) - releasedAt).toBeLessThan(5_000);
    } finally {
      releaseFirst();
      await relay.stop();
      await bus.close();
    }
  });

  it("publishes a woken row soon after another replica's relay lets go of the lock, not at the next poll", async () => {
    const bus = new InProcessBus();
    const outbox = new TransactionalOutbox('gateway');
    const delivered: string[] = [];
    await bus.subscribe({
      group: 'convene-analysis',
      topics: ['alert.received'],
      deliver: (delivery: Delivery) => {
        delivered.push(delivery.key);
        return Promise.resolve();
      },
    });
    bus.open();
    const relay = new OutboxRelay(source, bus, { ...DEFAULT_RELAY_OPTIONS, pollIntervalMs: 600_000 }, 'gateway');
    relay.start();
    // Another replica's round, holding the relay lock of the schema while this process commits a row.
    const replica = source.createQueryRunner();
    await replica.connect();
    try {
      await replica.startTransaction();
      await replica.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.outbox_relay'))`);
      await source.transaction((tx) =>
        outbox.add(tx, 'alert.received', alertReceived('ALERT-LOCKED', 1), { key: 'ALERT-LOCKED' }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(delivered).toEqual([]);

      await replica.commitTransaction();
      const releasedAt = Date.now();
      await waitUntil(() => Promise.resolve(delivered.length === 1), 5_000);

      expect(delivered).toEqual(['ALERT-LOCKED']);
      expect(Date.now() - releasedAt).toBeLessThan(1_000);
    } finally {
      if (replica.isTransactionActive) await replica.rollbackTransaction();
      await replica.release();
      await relay.stop();
      await bus.close();
    }
  });
});

async function waitUntil(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
