// Throughput of the audit chain: append (log + projections) with 1 and 4 concurrent consumers,
// verify and replay. Build first (`npm run build`), then: ./scripts/node24.sh node bench/audit-chain.mjs
// Uses a throwaway database on BENCH_DATABASE_URL (default: TEST_DATABASE_URL, else the infra server).
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Logger } = require('@nestjs/common');
const { Client } = require('pg');
const { openServiceDatabase } = require('../dist/libs/persistence/src/index.js');
const { AUDIT_MIGRATIONS } = require('../dist/apps/audit/src/migrations/index.js');
const { auditHarness } = require('../dist/apps/audit/src/testing/audit-harness.js');
const factory = require('../dist/apps/audit/src/testing/audit-events.factory.js');

const SERVER =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres:postgres@127.0.0.1:55432/convene';
const ALERTS = Number(process.env.BENCH_ALERTS ?? 1000);

async function admin(sql) {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Four events per alert: received, analyzed, meeting scheduled, invite delivered. */
function eventsOf(count) {
  return Array.from({ length: count }, () => {
    const alert = factory.anAlert();
    const meeting = factory.aMeeting(alert.alert_id);
    return [
      factory.alertReceived(alert),
      factory.alertAnalyzed(alert),
      factory.meetingScheduled(meeting),
      factory.notificationOutcome('notification.delivered', meeting),
    ];
  });
}

async function timed(label, events, work) {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return { step: label, events, seconds: Number(seconds.toFixed(2)), events_per_s: Math.round(events / seconds) };
}

async function main() {
  Logger.overrideLogger(['error', 'warn']);
  const name = `bench_audit_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const dataSource = await openServiceDatabase({
    service: 'audit',
    url: url.toString(),
    entities: [],
    migrations: AUDIT_MIGRATIONS,
  });
  const audit = auditHarness(dataSource);
  try {
    const serial = eventsOf(ALERTS).flat();
    const parallel = eventsOf(ALERTS);
    const results = [
      await timed('append, 1 consumer', serial.length, () => audit.deliverAll(serial)),
      // Each "consumer" takes a quarter of the alerts and keeps per-alert order, as partitions would.
      await timed('append, 4 consumers', parallel.length * 4, () =>
        Promise.all([0, 1, 2, 3].map((lane) => audit.deliverAll(parallel.filter((_, i) => i % 4 === lane).flat()))),
      ),
    ];
    let verification;
    results.push(
      await timed('verify', serial.length * 2, async () => (verification = await audit.log.verify(dataSource))),
    );
    results.push(await timed('replay', serial.length * 2, () => audit.replay.rebuild(dataSource)));
    console.table(results);
    process.stdout.write(`chain intact: ${verification.ok}\n`);
  } finally {
    await dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
