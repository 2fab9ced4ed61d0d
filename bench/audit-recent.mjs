// Recent-N latency of the audit query API at 10k and 1M rows.
// Build first (`npm run build`), then: ./scripts/node24.sh node bench/audit-recent.mjs
// Uses a throwaway database on BENCH_DATABASE_URL (default: TEST_DATABASE_URL, else the infra server).
// Rows go straight into the views with generate_series; the timed calls go through AuditQueryService.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Client } = require('pg');
const { openServiceDatabase } = require('../dist/libs/persistence/src/index.js');
const { AUDIT_MIGRATIONS } = require('../dist/apps/audit/src/migrations/index.js');
const { AuditQueryService } = require('../dist/apps/audit/src/audit-query.service.js');
const { AuditLogService } = require('../dist/apps/audit/src/audit-log.service.js');
const { parseAlertListQuery, parseMeetingListQuery } = require('../dist/apps/audit/src/audit-query.dto.js');

const SERVER =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres:postgres@127.0.0.1:55432/convene';
const SIZES = (process.env.BENCH_SIZES ?? '10000,1000000').split(',').map(Number);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const BATCH = 250_000;

async function admin(sql) {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Alerts 10 s apart, newest first; every third has a meeting 30 min after its alert, so only the newest are upcoming. */
async function insertRows(dataSource, from, to) {
  for (let start = from; start <= to; start += BATCH) {
    const end = Math.min(to, start + BATCH - 1);
    await dataSource.query(
      `INSERT INTO alerts_view (alert_id, alert_type, severity, description, affected_systems, status, detected_at,
         created_at, alert_revision, root_cause, recommendations, compliance_status, compliance_violations,
         urgency_level, urgency_score, processed_at, analysis_revision, meeting_created, meeting_id, meeting_status,
         meeting_sequence, updated_at)
       SELECT 'BENCH-' || lpad(g::text, 8, '0'),
              (ARRAY['security_incident','system_failure','capacity_warning','compliance_violation'])[1 + g % 4],
              (ARRAY['critical','high','medium','low'])[1 + g % 4],
              'Bench alert ' || g, '["payment-api","user-database"]',
              CASE WHEN g % 50 = 0 THEN 'resolved' ELSE 'firing' END,
              now() - make_interval(secs => g * 10), now() - make_interval(secs => g * 10 - 5), 1,
              'Root cause ' || g, '["Rotate credentials"]', 'violation_detected',
              '[{"framework":"PCI-DSS","violation":"3.4"}]', 'HIGH', 0.8, now() - make_interval(secs => g * 10 - 7), 1,
              g % 3 = 0, CASE WHEN g % 3 = 0 THEN 'MTG-' || lpad(g::text, 8, '0') END,
              CASE WHEN g % 3 = 0 THEN 'scheduled' END, CASE WHEN g % 3 = 0 THEN 0 ELSE -1 END, now()
       FROM generate_series($1::int, $2::int) AS g`,
      [start, end],
    );
    await dataSource.query(
      `INSERT INTO meetings_view (meeting_id, alert_id, alert_ids, meeting_title, scheduled_time, end_time,
         duration_minutes, timezone, meeting_url, provider, attendees, urgency_level, urgency_score, why_scheduled,
         discussion_points, pre_meeting_summary, root_cause, compliance_status, outside_business_hours, status,
         invite_uid, invite_ics, sequence, created_at, updated_at)
       SELECT 'MTG-' || lpad(g::text, 8, '0'), 'BENCH-' || lpad(g::text, 8, '0'),
              jsonb_build_array('BENCH-' || lpad(g::text, 8, '0')), 'Incident review ' || g,
              now() - make_interval(secs => g * 10 - 1800), now() - make_interval(secs => g * 10 - 5400), 60, 'UTC',
              'http://localhost:8000/meetings/MTG-' || g, 'builtin',
              '[{"role":"Security Lead","name":"Ada","email":"ada@example.com","invited_by":"alert_type","has_conflict":false}]',
              (ARRAY['CRITICAL','HIGH','MEDIUM','LOW'])[1 + g % 4], 0.8, 'why', '["a","b"]', 'summary', 'cause',
              'at_risk', false, CASE WHEN g % 30 = 0 THEN 'cancelled' ELSE 'scheduled' END,
              'MTG-' || g || '@convene', 'BEGIN:VCALENDAR', 0,
              now() - make_interval(secs => g * 10 - 6), now()
       FROM generate_series($1::int, $2::int) AS g WHERE g % 3 = 0`,
      [start, end],
    );
  }
  await dataSource.query('ANALYZE alerts_view');
  await dataSource.query('ANALYZE meetings_view');
}

async function time(label, call) {
  for (let i = 0; i < 20; i++) await call();
  const samples = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = process.hrtime.bigint();
    await call();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(2);
  return { query: label, p50_ms: Number(at(0.5)), p95_ms: Number(at(0.95)), p99_ms: Number(at(0.99)) };
}

async function measure(queries) {
  const first = await queries.recentAlerts(parseAlertListQuery({ limit: '20' }));
  let deep = first;
  for (let page = 0; page < 50; page++) {
    deep = await queries.recentAlerts(parseAlertListQuery({ limit: '20', cursor: deep.next_cursor }));
  }
  return [
    await time('alerts/recent?limit=20', () => queries.recentAlerts(parseAlertListQuery({ limit: '20' }))),
    await time('alerts/recent?limit=100', () => queries.recentAlerts(parseAlertListQuery({ limit: '100' }))),
    await time('alerts/recent?limit=20&severity=critical', () =>
      queries.recentAlerts(parseAlertListQuery({ limit: '20', severity: 'critical' })),
    ),
    await time('alerts/recent?limit=20&cursor=<page 51>', () =>
      queries.recentAlerts(parseAlertListQuery({ limit: '20', cursor: deep.next_cursor })),
    ),
    await time('meetings/recent?limit=20', () => queries.recentMeetings(parseMeetingListQuery({ limit: '20' }))),
    await time('meetings/recent?limit=20&status=scheduled&urgency=critical', () =>
      queries.recentMeetings(parseMeetingListQuery({ limit: '20', status: 'scheduled', urgency: 'critical' })),
    ),
    await time('reports/upcoming-meetings?limit=20', () => queries.upcomingMeetings(20)),
  ];
}

/** The SQL the service sends for the main shapes, to time them without client overhead. */
const PLANS = {
  'alerts recent 20': `SELECT * FROM alerts_view ORDER BY created_at DESC, alert_id DESC LIMIT 21`,
  'alerts severity=critical 20': `SELECT * FROM alerts_view WHERE severity = 'critical' ORDER BY created_at DESC, alert_id DESC LIMIT 21`,
  'alerts cursor page': `SELECT * FROM alerts_view WHERE (created_at, alert_id) < (now() - interval '3 hours', 'BENCH-99999999')
                         ORDER BY created_at DESC, alert_id DESC LIMIT 21`,
  'meetings status+urgency 20': `SELECT * FROM meetings_view WHERE status = 'scheduled' AND urgency_level = 'CRITICAL'
                                 ORDER BY created_at DESC, meeting_id DESC LIMIT 21`,
  'upcoming meetings 20': `SELECT * FROM meetings_view WHERE status = 'scheduled' AND scheduled_time > now()
                           ORDER BY urgency_score DESC, scheduled_time, meeting_id LIMIT 20`,
  'high priority without meeting 20': `SELECT * FROM alerts_view WHERE severity IN ('critical', 'high') AND NOT meeting_created
                                       AND status IS DISTINCT FROM 'resolved' ORDER BY detected_at DESC NULLS LAST, alert_id LIMIT 20`,
};

async function explainAll(dataSource) {
  const results = [];
  for (const [label, sql] of Object.entries(PLANS)) {
    const times = [];
    let root = '';
    for (let i = 0; i < 5; i++) {
      const [row] = await dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
      const [plan] = row['QUERY PLAN'];
      times.push(plan['Execution Time']);
      root = describe(plan.Plan);
    }
    times.sort((a, b) => a - b);
    results.push({ query: label, server_ms: Number(times[2].toFixed(3)), plan: root });
  }
  return results;
}

function describe(node) {
  const scan = node['Index Name'] ? `${node['Node Type']} ${node['Index Name']}` : node['Node Type'];
  return node.Plans?.length ? `${scan} <- ${describe(node.Plans[0])}` : scan;
}

async function main() {
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
  const queries = new AuditQueryService(dataSource, new AuditLogService());
  try {
    let rows = 0;
    for (const size of SIZES) {
      const started = Date.now();
      await insertRows(dataSource, rows + 1, size);
      rows = size;
      process.stdout.write(
        `\n${size.toLocaleString('en')} alerts (${Math.floor(size / 3).toLocaleString('en')} meetings), inserted in ${((Date.now() - started) / 1000).toFixed(1)} s, ${ITERATIONS} timed calls each:\n`,
      );
      console.table(await measure(queries));
      process.stdout.write('server-side execution time (EXPLAIN ANALYZE, median of 5) and plan root:\n');
      console.table(await explainAll(dataSource));
    }
  } finally {
    await dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
