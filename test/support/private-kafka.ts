import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = join(__dirname, '../..');
const LIBS = join(ROOT, '.cache/infra/kafka/libs');
const TEMPLATE = join(ROOT, 'scripts/infra/kafka/server.properties.in');

/**
 * A single-node KRaft broker of its own, for tests that stop and start the broker (the shared one
 * on 9092 must stay up for everybody else). Uses the jars `scripts/infra/up.sh kafka` fetched.
 */
export interface PrivateKafka {
  brokers: string[];
  start(): Promise<void>;
  /** Kills the broker the hard way (SIGKILL), as a crash would; acknowledged writes must survive. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

export function privateKafkaAvailable(): boolean {
  return existsSync(LIBS);
}

export async function createPrivateKafka(): Promise<PrivateKafka> {
  const dir = await mkdtemp(join(tmpdir(), 'convene-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = join(dir, 'server.properties');
  const template = await readFile(TEMPLATE, 'utf8');
  await writeFile(
    config,
    template
      .replaceAll('@LOG_DIR@', join(dir, 'data'))
      .replaceAll('9092', String(port))
      .replaceAll('9093', String(controllerPort)),
  );
  // C1 only and the serial collector: the broker starts noticeably faster on a busy two-core machine.
  const java = [
    '-Xms128m',
    '-Xmx384m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    '-cp',
    `${LIBS}/*`,
  ];
  const clusterId = randomBytes(16).toString('base64url');
  await promisify(execFile)('java', [
    ...java,
    'kafka.tools.StorageTool',
    'format',
    '--standalone',
    // One argument with `=`: a random id may start with '-' and would be read as an option.
    `--cluster-id=${clusterId}`,
    '-c',
    config,
  ]);
  const brokers = [`127.0.0.1:${port}`];
  let server: ChildProcess | undefined;

  const stop = async (): Promise<void> => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    brokers,
    async start() {
      server = spawn('java', [...java, 'kafka.Kafka', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      const log = createWriteStream(join(dir, 'server.log'), { flags: 'a' });
      server.stdout?.pipe(log);
      server.stderr?.pipe(log);
      await waitUntilReady(brokers);
    },
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(brokers: string[]): Promise<void> {
  const deadline = Date.now() + 90_000;
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  for (;;) {
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      return;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
