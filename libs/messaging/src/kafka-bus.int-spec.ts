import { randomBytes } from 'node:crypto';
import { eventually } from '../../../test/support/eventually';
import { describeBusContract } from '../../../test/support/messaging-contract';
import { KafkaBus } from './kafka-bus';
import type { BusSubscription } from './transport';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describeBusContract({
  name: 'kafka',
  create: (namespace) => new KafkaBus({ brokers, clientId: 'convene-contract-test', namespace, partitions: 3 }),
});

describe('KafkaBus at rest', () => {
  const topic = 'alert.received';
  let bus: KafkaBus;
  let subscription: BusSubscription | undefined;
  const delivered: string[] = [];

  beforeAll(async () => {
    bus = new KafkaBus({ brokers, clientId: 'convene-idle-test', namespace: `t${randomBytes(4).toString('hex')}-` });
    await bus.connect([topic]);
    subscription = await bus.subscribe({
      group: 'idle-test',
      topics: [topic],
      deliver: (delivery) => {
        delivered.push(delivery.key);
        return Promise.resolve();
      },
    });
    await bus.publish([{ topic, key: 'first', value: '{}', headers: {} }]);
    await eventually(async () => Promise.resolve(delivered.includes('first') ? true : undefined), 30_000);
  }, 60_000);

  afterAll(async () => {
    await subscription?.stop();
    await bus?.close();
  });

  it('schedules almost no timers while idle (kafkajs alone ran one every millisecond per connection)', async () => {
    const original = global.setTimeout;
    let shortTimers = 0;
    const counting = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if ((ms ?? 0) < 5) shortTimers += 1;
      return original(callback, ms, ...args);
    }) as typeof setTimeout;
    global.setTimeout = counting;
    try {
      await new Promise((resolve) => original(resolve, 1_000));
    } finally {
      global.setTimeout = original;
    }

    expect(shortTimers).toBeLessThan(50);
  });

  it('still delivers a message published after the quiet second', async () => {
    await bus.publish([{ topic, key: 'after-idle', value: '{}', headers: {} }]);

    await expect(
      eventually(async () => Promise.resolve(delivered.includes('after-idle') ? true : undefined), 10_000),
    ).resolves.toBe(true);
  });
});
