// Smoke test: can kafkajs (the client the services use) do a full round trip
// against the local broker? Creates a throwaway topic, produces with an
// idempotent producer (acks=-1), consumes in a consumer group, commits offsets
// and checks the committed offsets. Exits non-zero on any failure.
//
// Usage: node scripts/infra/kafka-smoke.mjs [brokers]   (default KAFKA_BROKERS or 127.0.0.1:9092)
import { Kafka, Partitioners, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const runId = `${Date.now()}-${process.pid}`;
const topic = `infra-smoke-${runId}`;
const groupId = `infra-smoke-group-${runId}`;
const count = 20;
const timeoutMs = Number(process.env.SMOKE_TIMEOUT_MS ?? 60000);

// kafkajs logs retriable errors (e.g. "coordinator is loading" on a fresh
// broker) at ERROR level; they are noise here. SMOKE_VERBOSE=1 shows them.
const kafka = new Kafka({
  clientId: 'convene-infra-smoke',
  brokers,
  logLevel: process.env.SMOKE_VERBOSE ? logLevel.INFO : logLevel.NOTHING,
});
const admin = kafka.admin();
const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner, // explicit: silences the v2 partitioner warning
});
const consumer = kafka.consumer({ groupId });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForLeaders(name, partitions) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      const ready = topics[0].partitions.filter((p) => p.leader >= 0).length;
      if (ready === partitions) return;
    } catch (err) {
      if (!['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'].includes(err?.type)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topic ${name}: partitions have no leader after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function step(msg) {
  console.log(`[kafka-smoke] ${msg}`);
}

async function main() {
  await admin.connect();
  // Not waitForLeaders: kafkajs retries that only on LEADER_NOT_AVAILABLE, but a
  // KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION until it has applied the
  // controller's new metadata (seen right after start-up on a busy machine).
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: false, // kafkajs defaults to true
  });
  if (!created) throw new Error(`topic ${topic} was not created`);
  await waitForLeaders(topic, 3);
  step(`created topic ${topic}`);

  await producer.connect();
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` }));
  const acks = await producer.send({ topic, acks: -1, messages });
  step(`produced ${count} messages (idempotent, acks=-1) to ${acks.length} partition(s)`);

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set();
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: consumed ${seen.size}/${count}`)), timeoutMs);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          seen.add(message.value.toString());
          await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          if (seen.size === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await done;
  step(`consumed ${seen.size}/${count} messages in group ${groupId}`);
  await consumer.stop();

  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  if (committed !== count) throw new Error(`committed offsets add up to ${committed}, expected ${count}`);
  step(`committed offsets add up to ${committed}`);
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  console.error(`[kafka-smoke] FAILED: ${err?.stack ?? err}`);
} finally {
  // Best-effort cleanup; never mask the real result.
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  await admin.deleteGroups([groupId]).catch(() => {});
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect().catch(() => {});
}
if (failed) process.exit(1);
console.log('[kafka-smoke] OK');
