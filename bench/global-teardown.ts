import { writeResultsMarkdown } from './support/report';

/** Stops the run's Kafka and PostgreSQL and writes bench/results.md from what the benches measured. */
export default async function globalTeardown(): Promise<void> {
  const bench = globalThis.conveneBench;
  await bench?.infra.stop();
  writeResultsMarkdown(bench?.startedAt ?? new Date());
}
