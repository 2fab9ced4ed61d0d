import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary, summariseProfile } from './support/cpu-profile-summary';
import { closedLoop } from './support/load';
import { recordResult } from './support/results';
import { startDistributedGateway } from './support/service-processes';
import { sleep } from './support/stats';

/*
 * Item 6: a V8 CPU profile of the distributed gateway process under the ingest load, summarised
 * by self time per package and per function. The profile covers the load window only (see
 * bench/support/cpu-profiler.mjs); the .cpuprofile is kept for Chrome DevTools or speedscope.
 *   BENCH_PROFILE_REQUESTS (default 3000), BENCH_CONCURRENCY (default 16).
 */
const REQUESTS = Number(process.env.BENCH_PROFILE_REQUESTS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PROFILER = join(__dirname, 'support', 'cpu-profiler.mjs');

async function waitForFile(file: string): Promise<void> {
  for (let tries = 0; tries < 100 && !existsSync(file); tries += 1) await sleep(200);
  await sleep(500);
}

it('profiles the distributed gateway under the ingest load', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'convene-bench-prof-')), 'gateway-ingest.cpuprofile');
  const { gateway, stop } = await startDistributedGateway(['--import', PROFILER], { BENCH_CPU_PROFILE: file });
  let perSecond: number;
  try {
    await closedLoop(gateway.url, 300, CONCURRENCY);
    gateway.signal('SIGWINCH');
    await sleep(200);
    perSecond = (await closedLoop(gateway.url, REQUESTS, CONCURRENCY)).perSecond;
    gateway.signal('SIGWINCH');
    await waitForFile(file);
  } catch (error) {
    throw new Error(`profiled gateway failed: ${String(error)}\n${gateway.output()}`, { cause: error });
  } finally {
    await stop();
  }

  const summary = await summariseProfile(file);
  const [first, second, third] = summary.areas;
  const top = summary.functions[0];
  recordResult({
    bench: 'ingest-profile',
    summary: `hottest areas ${[first, second, third].map((a) => `${a.name} ${a.selfPercent.toFixed(0)} %`).join(', ')}; hottest function ${top.name} ${top.selfPercent.toFixed(1)} %`,
    rows: [
      { item: 6, measure: 'distributed gateway under the profiler', value: `${Math.round(perSecond)}/s` },
      ...[first, second, third].map((area) => ({
        item: 6,
        measure: `self time in ${area.name}`,
        value: `${area.selfPercent.toFixed(1)} %`,
      })),
    ],
    details: `${formatSummary(summary)}\nprofile: ${file}`,
  });
  expect(summary.functions.length).toBeGreaterThan(0);
});
