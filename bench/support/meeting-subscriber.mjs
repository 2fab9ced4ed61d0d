// The outside system of end-to-end.bench.ts: a kafkajs consumer in a group of its own on TOPIC, in a
// process of its own, so that neither the load generator's event loop nor its CPU time delays the
// moment a meeting event is read (and the consumer's heartbeats are not starved into a rebalance).
// Prints `ready` once the broker has assigned it every partition of the topic, then one line
// `<key> <epoch ms>` for the first message of EVENT_TYPE per key. Reads from the beginning: a group
// with no committed offset that joined late, or rejoined after a rebalance, must not skip to the
// end of the topic (kafkajs' default), or events published before that moment are never read.
import { performance } from 'node:perf_hooks';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const { KAFKA_BROKERS, TOPIC, EVENT_TYPE } = process.env;

const kafka = new Kafka({ clientId: 'bench-subscriber', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.WARN });
const admin = kafka.admin();
await admin.connect();
const partitions = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0].partitions.length;
await admin.disconnect();

const consumer = kafka.consumer({ groupId: `bench-subscriber-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 20 });
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  const assigned = payload.memberAssignment[TOPIC]?.length ?? 0;
  if (assigned === partitions) process.stdout.write('ready\n');
  else process.stderr.write(`assigned ${assigned} of ${partitions} partitions of ${TOPIC}\n`);
});
const seen = new Set();
await consumer.connect();
await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const at = performance.timeOrigin + performance.now();
    const key = message.key?.toString();
    if (message.headers?.ce_type?.toString() !== EVENT_TYPE || !key || seen.has(key)) return;
    seen.add(key);
    process.stdout.write(`${key} ${at.toFixed(3)}\n`);
  },
});

const stop = () => consumer.disconnect().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
