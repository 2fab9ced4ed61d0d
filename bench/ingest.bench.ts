import { join } from 'node:path';
import { closedLoop, type LoadFigures } from './support/load';
import { ms, recordResult, type ResultRow } from './support/results';
import {
  type BenchProcess,
  benchEnv,
  descendants,
  rssMb,
  sampleRss,
  settledRss,
  startBenchProcess,
  startDistributedGateway,
  startEmbedded,
} from './support/service-processes';

/*
 * Item 1 (and the all-in-one half of item 4): accepted signed alerts per second at a fixed
 * concurrency, through the distributed gateway (its own process on Kafka and PostgreSQL) and the
 * embedded process, against the ceiling: a bare node:http process answering 202, same generator.
 * Between the two, the stack floor: Convene's HTTP stack alone (Nest on Fastify, access log, server
 * spans, metrics; bench/support/stack-floor.mjs) answering 202, the most the gateway could reach
 * without leaving that stack.
 *   BENCH_INGEST_REQUESTS (default 3000 per target), BENCH_CONCURRENCY (default 16).
 */
const REQUESTS = Number(process.env.BENCH_INGEST_REQUESTS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = 300;

interface Target {
  name: string;
  figures: LoadFigures;
}

async function measure(name: string, url: string): Promise<Target> {
  await closedLoop(url, WARMUP, CONCURRENCY);
  return { name, figures: await closedLoop(url, REQUESTS, CONCURRENCY) };
}

function describeTarget({ name, figures }: Target): ResultRow {
  return {
    item: 1,
    measure: `${name}, ${CONCURRENCY} concurrent (p50 / p99)`,
    value: `${Math.round(figures.perSecond)}/s (${ms(figures.p50)} / ${ms(figures.p99)})`,
  };
}

/** The all-in-one process's RSS, and beside it the embedded PostgreSQL it started (separate processes). */
async function embeddedFootprint(embedded: BenchProcess, run: () => Promise<Target>): Promise<[Target, ResultRow[]]> {
  // Sampled the same way as the distributed services' idle RSS (end-to-end.bench.ts), so the two compare.
  const idle = (await settledRss(new Map([['embedded', embedded.pid]]))).get('embedded') ?? 0;
  const postgres = await descendants(embedded.pid);
  const postgresIdle = (await Promise.all(postgres.map(rssMb))).reduce((sum, mb) => sum + mb, 0);
  const sampler = sampleRss(new Map([['embedded', embedded.pid]]));
  const target = await run();
  const loaded = sampler.stop().get('embedded') ?? 0;
  return [
    target,
    [
      {
        item: 4,
        measure: 'all-in-one process (npm start), idle RSS',
        value: `${idle.toFixed(0)} MB`,
        goal: '< 300 MB',
        pass: idle < 300,
      },
      {
        item: 4,
        measure: 'all-in-one process, peak RSS under the ingest load',
        value: `${loaded.toFixed(0)} MB`,
        goal: '< 300 MB',
        pass: loaded < 300,
      },
      {
        item: 4,
        measure: `its embedded PostgreSQL, ${postgres.length} processes, idle RSS summed (shared pages counted each time)`,
        value: `${postgresIdle.toFixed(0)} MB`,
      },
    ],
  ];
}

it('measures accepted signed alerts per second: distributed gateway and embedded against a bare node:http server', async () => {
  const bare = await startBenchProcess('bench/support/bare-server.mjs', { env: benchEnv() });
  const targets: Target[] = [];
  const footprint: ResultRow[] = [];
  try {
    targets.push(await measure('bare node:http 202 (the ceiling)', bare.url));

    const floor = await startBenchProcess('bench/support/stack-floor.mjs', { env: benchEnv() });
    try {
      targets.push(await measure("Convene's HTTP stack alone, 202 (the stack floor)", floor.url));
    } finally {
      await floor.stop();
    }

    const distributed = await startDistributedGateway();
    try {
      targets.push(await measure('distributed gateway process', distributed.gateway.url));
    } finally {
      await distributed.stop();
    }

    const embedded = await startEmbedded();
    try {
      const [target, rows] = await embeddedFootprint(embedded, () => measure('embedded (npm start)', embedded.url));
      targets.push(target);
      footprint.push(...rows);
    } finally {
      await embedded.stop();
    }
  } finally {
    await bare.stop();
  }

  const [ceiling, floor, gateway, embedded] = targets.map((target) => target.figures.perSecond);
  const ratio = gateway / ceiling;
  recordResult({
    bench: 'ingest',
    summary: `distributed gateway ${Math.round(gateway)}/s = ${ratio.toFixed(2)} of the bare ceiling ${Math.round(ceiling)}/s (goal ≥ 0.5: ${ratio >= 0.5 ? 'pass' : 'MISSED'}); embedded ${(embedded / ceiling).toFixed(2)}; stack floor ${(floor / ceiling).toFixed(2)}`,
    rows: [
      ...targets.map(describeTarget),
      {
        item: 1,
        measure: 'distributed gateway ÷ ceiling',
        value: ratio.toFixed(2),
        goal: '≥ 0.5',
        pass: ratio >= 0.5,
      },
      { item: 1, measure: 'embedded ÷ ceiling', value: (embedded / ceiling).toFixed(2) },
      {
        item: 1,
        measure: 'stack floor ÷ ceiling (the most the gateway could reach in its stack)',
        value: (floor / ceiling).toFixed(2),
      },
      { item: 1, measure: 'distributed gateway ÷ stack floor', value: (gateway / floor).toFixed(2) },
      ...footprint,
    ],
    details: `${REQUESTS} signed alerts per target after ${WARMUP} warm-up, concurrency ${CONCURRENCY}, load generator in the Jest process (${join('bench', 'support', 'load.ts')}); every answer 202: ${targets.every((t) => t.figures.accepted === REQUESTS)}`,
  });
  expect(targets.map((target) => target.figures.accepted)).toEqual([REQUESTS, REQUESTS, REQUESTS, REQUESTS]);
});
