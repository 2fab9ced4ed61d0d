import { Logger } from '@nestjs/common';
import { startBenchInfra, type BenchInfra } from './support/bench-infra';

declare global {
  var conveneBench: { infra: BenchInfra; startedAt: Date } | undefined;
}

/**
 * One private Kafka broker and one private PostgreSQL server for the whole run. The benches find
 * them the way the tests find theirs: KAFKA_BROKERS and TEST_DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  const startedAt = new Date();
  Logger.overrideLogger(['error', 'warn']);
  const infra = await startBenchInfra();
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.TEST_DATABASE_URL = infra.databaseUrl;
  globalThis.conveneBench = { infra, startedAt };
}
