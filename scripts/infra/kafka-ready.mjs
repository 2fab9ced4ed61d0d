// One readiness probe for the local Kafka broker: succeeds (exit 0) once a
// metadata round trip works (describeCluster + listTopics). up.sh calls it
// repeatedly until it passes, so it fails fast instead of retrying for long.
//
// Usage: node scripts/infra/kafka-ready.mjs [brokers]   (default 127.0.0.1:9092)
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({
  clientId: 'convene-infra-ready',
  brokers,
  logLevel: logLevel.NOTHING, // connection refusals are expected while it boots
  connectionTimeout: 2000,
  requestTimeout: 5000,
  retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
});
const admin = kafka.admin();

try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length === 0) throw new Error('no brokers in metadata');
  if (cluster.controller === null || cluster.controller < 0) throw new Error('no active controller');
  await admin.listTopics();
  console.log(`kafka ready: cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`);
} catch (err) {
  console.error(`kafka not ready: ${err?.message ?? err}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}
