import { join } from 'node:path';
import { cpuWindow } from './support/cpu-time';
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
  /** CPU milliseconds per accepted alert by process: the server, PostgreSQL, Kafka, the load generator. */
  cpuPerAlert: Map<string, number>;
}

const SERVER = 'server';

/** Warms the target up, then drives the measured requests while reading every process's CPU time. */
async function measure(name: string, url: string, pid: number): Promise<Target> {
  await closedLoop(url, WARMUP, CONCURRENCY);
  const cpu = await cpuWindow(new Map([[SERVER, pid]]));
  const figures = await closedLoop(url, REQUESTS, CONCURRENCY);
  const used = await cpu.stop();
  const cpuPerAlert = new Map([...used].map(([group, ms]) => [group, ms / Math.max(1, figures.accepted)]));
  return { name, figures, cpuPerAlert };
}

function describeTarget({ name, figures }: Target): ResultRow {
  return {
    item: 1,
    measure: `${name}, ${CONCURRENCY} concurrent (p50 / p99)`,
    value: `${Math.round(figures.perSecond)}/s (${ms(figures.p50)} / ${ms(figures.p99)})`,
  };
}

function describeCpu({ name, cpuPerAlert }: Target): ResultRow {
  const groups = [...cpuPerAlert].filter(([, perAlert]) => perAlert > 0).sort(([, a], [, b]) => b - a);
  return {
    item: 1,
    measure: `${name}: CPU per accepted alert by process`,
    value: groups.map(([group, perAlert]) => `${group} ${(perAlert * 1000).toFixed(0)}`).join(', ') + ' µs',
  };
}

/** CPU the target's own process spent per accepted alert. */
function serverCpu(target: Target): number {
  return target.cpuPerAlert.get(SERVER) ?? 0;
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
    targets.push(await measure('bare node:http 202 (the ceiling)', bare.url, bare.pid));

    const floor = await startBenchProcess('bench/support/stack-floor.mjs', { env: benchEnv() });
    try {
      targets.push(await measure("Convene's HTTP stack alone, 202 (the stack floor)", floor.url, floor.pid));
    } finally {
      await floor.stop();
    }

    const distributed = await startDistributedGateway();
    try {
      targets.push(await measure('distributed gateway process', distributed.gateway.url, distributed.gateway.pid));
    } finally {
      await distributed.stop();
    }

    const embedded = await startEmbedded();
    try {
      const [target, rows] = await embeddedFootprint(embedded, () =>
        measure('embedded (npm start)', embedded.url, embedded.pid),
      );
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
  // On two cores the gateway shares them with PostgreSQL, Kafka and the load generator, while the
  // bare server has one to itself. What its own process spends per alert against the bare server
  // is the ratio a machine with a core for each would show.
  const cpuRatio = serverCpu(targets[0]) / serverCpu(targets[2]);
  recordResult({
    bench: 'ingest',
    summary:
      `distributed gateway ${Math.round(gateway)}/s = ${ratio.toFixed(2)} of the bare ceiling ` +
      `${Math.round(ceiling)}/s (goal ≥ 0.5: ${ratio >= 0.5 ? 'pass' : 'MISSED'}), ` +
      `${cpuRatio.toFixed(2)} by CPU per alert; embedded ${(embedded / ceiling).toFixed(2)}; ` +
      `stack floor ${(floor / ceiling).toFixed(2)}`,
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
      ...targets.map(describeCpu),
      {
        item: 1,
        measure: "ceiling's CPU per alert ÷ the gateway process's (the ratio with a core for each process)",
        value: cpuRatio.toFixed(2),
      },
      ...footprint,
    ],
    details: `${REQUESTS} signed alerts per target after ${WARMUP} warm-up, concurrency ${CONCURRENCY}, load generator in the Jest process (${join('bench', 'support', 'load.ts')}); every answer 202: ${targets.every((t) => t.figures.accepted === REQUESTS)}`,
  });
  expect(targets.map((target) => target.figures.accepted)).toEqual([REQUESTS, REQUESTS, REQUESTS, REQUESTS]);
});
