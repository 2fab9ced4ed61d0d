import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '#libs/persistence';
import { parseAlertListQuery, parseMeetingListQuery } from '../apps/audit/src/audit-query.dto';
import { AuditQueryService } from '../apps/audit/src/audit-query.service';
import { AuditLogService } from '../apps/audit/src/audit-log.service';
import { AUDIT_DATABASE } from '../apps/audit/src/audit.database';
import { createTestDatabase } from '../test/support/database';
import { ms, recordResult, type ResultRow } from './support/results';
import { median, quantile } from './support/stats';

/*
 * Item 3: the latency of the audit query API behind GET /alerts/recent and /meetings/recent (the
 * gateway forwards both to it) at 10 k and at 1 M alerts, a third of them with a meeting. Rows go
 * straight into the read models with generate_series; the timed calls go through AuditQueryService,
 * so the figure is the service's own cost without the HTTP hops in front of it.
 *   BENCH_QUERY_SIZES (default 10000,1000000), BENCH_QUERY_ITERATIONS (default 300).
 */
const SIZES = (process.env.BENCH_QUERY_SIZES ?? '10000,1000000').split(',').map(Number);
const ITERATIONS = Number(process.env.BENCH_QUERY_ITERATIONS ?? 300);
const BATCH = 250_000;

async function insertRows(dataSource: DataSource, from: number, to: number): Promise<void> {
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

interface Timing {
  p50: number;
  p99: number;
}

async function time(call: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 30; i += 1) await call();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  return { p50: median(samples), p99: quantile(samples, 0.99) };
}

function queriesOf(service: AuditQueryService): Record<string, () => Promise<unknown>> {
  return {
    '/alerts/recent?limit=20': () => service.recentAlerts(parseAlertListQuery({ limit: '20' })),
    '/meetings/recent?limit=20': () => service.recentMeetings(parseMeetingListQuery({ limit: '20' })),
    '/alerts/recent?limit=20&severity=critical': () =>
      service.recentAlerts(parseAlertListQuery({ limit: '20', severity: 'critical' })),
    '/meetings/recent?limit=20&status=scheduled': () =>
      service.recentMeetings(parseMeetingListQuery({ limit: '20', status: 'scheduled' })),
  };
}

/** The issue's goal is on the two unfiltered lists; the filtered shapes are shown beside them without one. */
const HELD_TO_GOAL = new Set(['/alerts/recent?limit=20', '/meetings/recent?limit=20']);

function compare(query: string, small: Timing, large: Timing): ResultRow[] {
  const ratio = large.p50 / small.p50;
  const [smallRows, largeRows] = SIZES.map((size) => (size >= 1e6 ? `${size / 1e6} M` : `${size / 1e3} k`));
  return [
    {
      item: 3,
      measure: `${query} p50 / p99 at ${smallRows} → ${largeRows} alerts`,
      value: `${ms(small.p50)} / ${ms(small.p99)} → ${ms(large.p50)} / ${ms(large.p99)}`,
    },
    HELD_TO_GOAL.has(query)
      ? {
          item: 3,
          measure: `${query} p50 ratio ${largeRows} ÷ ${smallRows}`,
          value: ratio.toFixed(2),
          goal: '≤ 1.2',
          pass: ratio <= 1.2,
        }
      : { item: 3, measure: `${query} p50 ratio ${largeRows} ÷ ${smallRows} (no goal)`, value: ratio.toFixed(2) },
  ];
}

it('measures /alerts/recent and /meetings/recent at 10 k and 1 M rows', async () => {
  const database = await createTestDatabase('bench_query');
  const dataSource = await openServiceDatabase({ ...AUDIT_DATABASE, url: database.url });
  const service = new AuditQueryService(dataSource, new AuditLogService());
  const timings: Record<string, Timing>[] = [];
  const loads: string[] = [];
  try {
    let rows = 0;
    for (const size of SIZES) {
      const started = performance.now();
      await insertRows(dataSource, rows + 1, size);
      rows = size;
      loads.push(`${size} alerts inserted in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      const timing: Record<string, Timing> = {};
      for (const [query, call] of Object.entries(queriesOf(service))) timing[query] = await time(call);
      timings.push(timing);
    }
  } finally {
    await dataSource.destroy();
    await database.drop();
  }

  const [small, large] = [timings[0], timings[timings.length - 1]];
  const rowsOut = Object.keys(small).flatMap((query) => compare(query, small[query], large[query]));
  const ratios = rowsOut.filter((row) => row.goal);
  recordResult({
    bench: 'query-scaling',
    summary: `p50 ratio ${SIZES[SIZES.length - 1]} ÷ ${SIZES[0]} rows: ${ratios.map((row) => `${row.measure.split(' ')[0]} ${row.value}`).join(', ')} (goal ≤ 1.2: ${ratios.every((row) => row.pass) ? 'pass' : 'MISSED'})`,
    rows: rowsOut,
    details: `${loads.join('; ')}; ${ITERATIONS} timed calls per query after 30 warm-up calls`,
  });
  expect(timings).toHaveLength(SIZES.length);
});
