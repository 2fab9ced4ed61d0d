import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopOrphanedServer } from '../../libs/persistence/src/embedded-postgres';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { freePort, REPO_ROOT, waitForHttp } from '../../test/support/processes';
import { median, sleep } from './stats';

export const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'] as const;
export type Service = (typeof SERVICES)[number];

export const BENCH_CREDENTIALS = { apiKey: 'bench-webhook-key-0123456789', secret: 'bench-webhook-secret' };

/** A built entry point of this repository running as its own process. */
export interface BenchProcess {
  pid: number;
  url: string;
  output(): string;
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface ProcessOptions {
  env: Record<string, string>;
  nodeArgs?: string[];
}

/** The settings every bench process shares: quiet logs, no tracing export, no rate limit in the way. */
export function benchEnv(): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    WEBHOOK_API_KEY: BENCH_CREDENTIALS.apiKey,
    WEBHOOK_SECRET_KEY: BENCH_CREDENTIALS.secret,
    RATE_LIMIT_PER_MINUTE: '100000000',
    OPENAI_API_KEY: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    LOG_LEVEL: 'warn',
  };
}

/** The V8 flags of a deployed Convene process (deploy/docker/entrypoint.sh, npm start): the bench measures those. */
const NODE_FLAGS = (process.env.CONVENE_NODE_FLAGS ?? '--max-semi-space-size=8').split(' ').filter(Boolean);

/** Starts `entry` (relative to the repository) on a free port and waits for its /health. */
export async function startBenchProcess(entry: string, options: ProcessOptions): Promise<BenchProcess> {
  const port = options.env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const started: BenchProcess = {
    pid: child.pid ?? 0,
    url,
    output: () => output,
    signal: (signal) => child.kill(signal),
    stop: () => stopChild(child),
  };
  try {
    await waitForHttp(`${url}/health`, 180_000);
  } catch (error) {
    await started.stop();
    throw new Error(`${entry} did not start: ${String(error)}\n${output}`, { cause: error });
  }
  return started;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return exited.finally(() => clearTimeout(killer));
}

/** The five services as separate processes on the bench's Kafka broker and a fresh database. */
export interface Fleet {
  processes: Map<Service, BenchProcess>;
  gatewayUrl: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

export async function startFleet(extraEnv: Record<string, string> = {}): Promise<Fleet> {
  const database = await createTestDatabase('bench_fleet');
  const ports = new Map<Service, number>();
  for (const service of SERVICES) ports.set(service, await freePort());
  const env = (service: Service): Record<string, string> => ({
    ...benchEnv(),
    CONVENE_MODE: 'distributed',
    DATABASE_URL: database.url,
    KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
    PORT: String(ports.get(service)),
    AUDIT_URL: `http://127.0.0.1:${ports.get('audit')}`,
    ...extraEnv,
  });
  // One after another: five Nest boots at once on two cores take longer than in turn.
  const processes = new Map<Service, BenchProcess>();
  for (const service of SERVICES) {
    processes.set(
      service,
      await startBenchProcess(`dist/apps/${service}/src/main.js`, { nodeArgs: NODE_FLAGS, env: env(service) }),
    );
  }
  return {
    processes,
    gatewayUrl: processes.get('gateway')?.url ?? '',
    database,
    stop: async () => {
      await Promise.all([...processes.values()].map((process) => process.stop()));
      await database.drop();
    },
  };
}

/** The gateway alone in distributed mode, on a fresh database and the bench's Kafka broker. */
export async function startDistributedGateway(
  nodeArgs: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<{ gateway: BenchProcess; stop(): Promise<void> }> {
  const database = await createTestDatabase('bench_gateway');
  const gateway = await startBenchProcess('dist/apps/gateway/src/main.js', {
    nodeArgs: [...NODE_FLAGS, ...nodeArgs],
    env: {
      ...benchEnv(),
      CONVENE_MODE: 'distributed',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
      AUDIT_URL: 'http://127.0.0.1:9',
      ...extraEnv,
    },
  });
  return {
    gateway,
    stop: async () => {
      await gateway.stop();
      await database.drop();
    },
  };
}

/**
 * All five services in one process (`npm start`), with its own embedded PostgreSQL under a temp
 * DATA_DIR. Stopping it also stops that PostgreSQL and removes the directory: a process still
 * working through the ingest backlog outlasts the 15 s grace and is killed, which leaves its
 * PostgreSQL running, and every bench run after would share the cores with one more server.
 */
export async function startEmbedded(): Promise<BenchProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'convene-bench-embedded-'));
  const embedded = await startBenchProcess('dist/embedded/src/main.js', {
    nodeArgs: NODE_FLAGS,
    env: { ...benchEnv(), CONVENE_MODE: 'embedded', DATA_DIR: dataDir },
  });
  return {
    ...embedded,
    stop: async () => {
      await embedded.stop();
      await stopOrphanedServer(join(dataDir, 'postgres'));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the benches through bench/jest.config.js (npm run bench)`);
  return value;
}

/** Resident set size of one process, in MB. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Every descendant of `pid` (the embedded PostgreSQL server and its backends). */
export async function descendants(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children = (
    await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')))
  )
    .join(' ')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const below = await Promise.all(children.map(descendants));
  return [...children, ...below.flat()];
}

/** Samples the RSS of the given processes every 250 ms until stopped; keeps the peak of each. */
export function sampleRss(pids: ReadonlyMap<string, number>): { stop(): Map<string, number> } {
  const peaks = new Map<string, number>([...pids.keys()].map((name) => [name, 0]));
  const timer = setInterval(() => {
    for (const [name, pid] of pids) {
      void rssMb(pid).then((mb) => peaks.set(name, Math.max(peaks.get(name) ?? 0, mb)));
    }
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}

/**
 * Idle RSS of each process once start-up has settled: sampled every second until every process's
 * last 5 samples lie within 2 % of each other (consumers joined, start-up allocation done), then the
 * median of 5 more samples. Nothing is triggered in the processes (no forced GC). After
 * `timeoutMs` the samples are taken anyway.
 */
export async function settledRss(pids: ReadonlyMap<string, number>, timeoutMs = 120_000): Promise<Map<string, number>> {
  const history = new Map<string, number[]>([...pids.keys()].map((name) => [name, []]));
  const steady = (samples: number[]): boolean => {
    const last = samples.slice(-5);
    return last.length === 5 && Math.max(...last) - Math.min(...last) < 0.02 * Math.max(...last);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ![...history.values()].every(steady)) {
    for (const [name, pid] of pids) history.get(name)?.push(await rssMb(pid));
    await sleep(1000);
  }
  const settled = new Map<string, number[]>([...pids.keys()].map((name) => [name, []]));
  for (let sample = 0; sample < 5; sample += 1) {
    for (const [name, pid] of pids) settled.get(name)?.push(await rssMb(pid));
    await sleep(1000);
  }
  return new Map([...settled].map(([name, samples]) => [name, median(samples)]));
}
