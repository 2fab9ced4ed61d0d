import type { Client } from 'pg';
import type {
  AlertDetail,
  AlertView,
  ChainVerification,
  MeetingRateReport,
  MeetingView,
  Page,
  ViolationsByFrameworkReport,
} from '../../apps/gateway/src/query/audit-query.port';
import { AuditQueryPort } from '../../apps/gateway/src/query/audit-query.port';
import {
  alertBody,
  deliver,
  expectProblem,
  gatewayDatabase,
  type HttpAnswer,
  post,
  type RunningGateway,
  signedHeaders,
  startGateway,
} from './support/gateway-harness';

jest.setTimeout(60_000);

/** An audit read model held in memory, so a test decides when the meeting "exists". */
class InMemoryAudit extends AuditQueryPort {
  readonly alerts = new Map<string, AlertDetail>();
  readonly meetings = new Map<string, MeetingView>();

  recentAlerts(): Promise<Page<AlertView>> {
    return Promise.resolve({ items: [...this.alerts.values()], next_cursor: null });
  }
  recentMeetings(): Promise<Page<MeetingView>> {
    return Promise.resolve({ items: [...this.meetings.values()], next_cursor: null });
  }
  alert(id: string): Promise<AlertDetail | null> {
    return Promise.resolve(this.alerts.get(id) ?? null);
  }
  meeting(id: string): Promise<MeetingView | null> {
    return Promise.resolve(this.meetings.get(id) ?? null);
  }
  invite(): Promise<string | null> {
    return Promise.resolve(null);
  }
  highPriorityWithoutMeeting(): Promise<{ items: AlertView[] }> {
    return Promise.resolve({ items: [] });
  }
  upcomingMeetings(): Promise<{ items: MeetingView[] }> {
    return Promise.resolve({ items: [...this.meetings.values()] });
  }
  meetingRate(): Promise<MeetingRateReport> {
    return Promise.resolve({ window_days: 30, total_alerts: 0, with_meetings: 0, meeting_rate: 0 });
  }
  violationsByFramework(): Promise<ViolationsByFrameworkReport> {
    return Promise.resolve({ window_days: 30, items: [] });
  }
  verifyChain(): Promise<ChainVerification> {
    return Promise.resolve({ ok: true, checked: 0, last_seq: 0, first_broken: null, broken: [] });
  }

  book(alertId: string, meetingId: string): void {
    this.meetings.set(meetingId, meetingView(alertId, meetingId));
    this.alerts.set(alertId, alertDetail(alertId, meetingId));
  }
}

let database: Awaited<ReturnType<typeof gatewayDatabase>>;
let db: Client;
let gateway: RunningGateway;
const audit = new InMemoryAudit();

beforeAll(async () => {
  database = await gatewayDatabase();
  db = database.db;
  gateway = await startGateway(database.database.url, {}, { auditQuery: audit });
});

afterAll(async () => {
  await gateway?.close();
  await database?.close();
});

async function eventsOf(alertId: string): Promise<{ change: string; revision: number; severity: string }[]> {
  const rows = await db.query(
    `SELECT value::jsonb->>'change' AS change, (value::jsonb->>'revision')::int AS revision,
            value::jsonb->'alert'->>'severity' AS severity
       FROM outbox WHERE key = $1 AND topic = 'alert.received' ORDER BY position`,
    [alertId],
  );
  return rows.rows as { change: string; revision: number; severity: string }[];
}

async function storedAlert(alertId: string): Promise<Record<string, unknown> | undefined> {
  const rows = await db.query('SELECT * FROM received_alerts WHERE alert_id = $1', [alertId]);
  return rows.rows[0] as Record<string, unknown> | undefined;
}

describe('accepted alert', () => {
  it('answers 202 after the alert row and its alert.received outbox row are stored', async () => {
    const alert = alertBody();
    const answer = await deliver(gateway, alert);

    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      status: 'accepted',
      alert_id: alert.alert_id,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      links: { alert: `/alerts/${String(alert.alert_id)}` },
    });
    expect(await storedAlert(String(alert.alert_id))).toMatchObject({
      severity: 'high',
      status: 'firing',
      revision: 1,
      trace_id: answer.json.trace_id,
      content_hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      body: expect.objectContaining({ alert_id: alert.alert_id, status: 'firing' }) as unknown,
    });
    expect(await eventsOf(String(alert.alert_id))).toEqual([{ change: 'new', revision: 1, severity: 'high' }]);
  });

  it('gives the same answer to an identical re-delivery and publishes nothing more', async () => {
    const alert = alertBody();
    const first = await deliver(gateway, alert);
    const second = await deliver(gateway, { ...alert });

    expect(second.status).toBe(202);
    expect(second.json).toEqual(first.json);
    expect(await eventsOf(String(alert.alert_id))).toHaveLength(1);
    expect(await storedAlert(String(alert.alert_id))).toMatchObject({ deliveries: 2, revision: 1 });
  });

  it('treats reordered keys as identical content', async () => {
    const alert = alertBody();
    await deliver(gateway, alert);
    const reordered = Object.fromEntries(Object.entries(alert).reverse());
    await deliver(gateway, reordered);
    expect(await eventsOf(String(alert.alert_id))).toHaveLength(1);
  });

  it('publishes change escalated with the next revision when the severity rises', async () => {
    const alert = alertBody({ severity: 'medium' });
    await deliver(gateway, alert);
    const escalated = await deliver(gateway, { ...alert, severity: 'critical' });

    expect(escalated.status).toBe(202);
    expect(await eventsOf(String(alert.alert_id))).toEqual([
      { change: 'new', revision: 1, severity: 'medium' },
      { change: 'escalated', revision: 2, severity: 'critical' },
    ]);
    expect(await storedAlert(String(alert.alert_id))).toMatchObject({ severity: 'critical', revision: 2 });
  });

  it('records a lower severity without downgrading or publishing', async () => {
    const alert = alertBody({ severity: 'critical' });
    await deliver(gateway, alert);
    const lower = await deliver(gateway, { ...alert, severity: 'low' });

    expect(lower.status).toBe(202);
    expect(await eventsOf(String(alert.alert_id))).toHaveLength(1);
    expect(await storedAlert(String(alert.alert_id))).toMatchObject({
      severity: 'critical',
      revision: 1,
      deliveries: 2,
    });
  });

  it('publishes change resolved for status resolved, once', async () => {
    const alert = alertBody();
    await deliver(gateway, alert);
    await deliver(gateway, { ...alert, status: 'resolved' });
    await deliver(gateway, { ...alert, status: 'resolved' });

    expect((await eventsOf(String(alert.alert_id))).map((e) => [e.change, e.revision])).toEqual([
      ['new', 1],
      ['resolved', 2],
    ]);
    expect(await storedAlert(String(alert.alert_id))).toMatchObject({ status: 'resolved' });
  });

  it('publishes change resolved for an alert first heard of as resolved, and nothing for its later firing copy', async () => {
    const alert = alertBody();
    await deliver(gateway, { ...alert, status: 'resolved' });
    const firing = await deliver(gateway, alert);

    expect(firing.status).toBe(202);
    expect((await eventsOf(String(alert.alert_id))).map((e) => [e.change, e.revision])).toEqual([['resolved', 1]]);
    expect(await storedAlert(String(alert.alert_id))).toMatchObject({ status: 'resolved', revision: 1 });
  });

  it('publishes one event when ten identical deliveries race', async () => {
    const alert = alertBody();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(gateway, alert)));

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((a) => JSON.stringify(a.json))).size).toBe(1);
    expect(await eventsOf(String(alert.alert_id))).toHaveLength(1);
  });

  it('processes one of ten racing copies of the same signed request and answers the rest ALERT.REPLAYED', async () => {
    const alert = alertBody();
    const body = JSON.stringify(alert);
    const headers = signedHeaders(body);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(gateway, body, headers)));

    expect(answers.map((a) => a.status).sort()).toEqual([202, ...Array<number>(9).fill(409)]);
    expect(await eventsOf(String(alert.alert_id))).toHaveLength(1);
  });

  it('stores forty different alerts posted at once, each with its own trace id and one event', async () => {
    const alerts = Array.from({ length: 40 }, (_, index) =>
      alertBody({ severity: index % 2 === 0 ? 'critical' : 'low', status: index % 5 === 0 ? 'resolved' : 'firing' }),
    );
    const answers = await Promise.all(alerts.map((alert) => deliver(gateway, alert)));

    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
    expect(new Set(answers.map((a) => a.json.trace_id)).size).toBe(40);
    const ids = alerts.map((alert) => String(alert.alert_id));
    const stored = await db.query<{ alert_id: string; severity: string; trace_id: string }>(
      'SELECT alert_id, severity, trace_id FROM received_alerts WHERE alert_id = ANY($1)',
      [ids],
    );
    const byId = new Map(stored.rows.map((row) => [row.alert_id, row]));
    alerts.forEach((alert, index) => {
      expect(byId.get(String(alert.alert_id))).toMatchObject({
        severity: alert.severity,
        trace_id: answers[index].json.trace_id,
      });
    });
    const events = await db.query<{ key: string; change: string }>(
      `SELECT key, value::jsonb->>'change' AS change FROM outbox
        WHERE topic = 'alert.received' AND key = ANY($1)`,
      [ids],
    );
    expect(events.rows).toHaveLength(40);
    for (const alert of alerts) {
      const event = events.rows.find((row) => row.key === alert.alert_id);
      expect(event?.change).toBe(alert.status === 'resolved' ? 'resolved' : 'new');
    }
    const replayed = await Promise.all(alerts.slice(0, 5).map((alert) => deliver(gateway, alert)));
    expect(replayed.map((a) => a.status)).toEqual(Array(5).fill(202));
    expect((await eventsOf(ids[0])).length).toBe(1);
  });

  it('publishes one escalation when ten escalating deliveries race', async () => {
    const alert = alertBody({ severity: 'low' });
    await deliver(gateway, alert);
    await Promise.all(Array.from({ length: 10 }, () => deliver(gateway, { ...alert, severity: 'critical' })));
    expect((await eventsOf(String(alert.alert_id))).map((e) => e.change)).toEqual(['new', 'escalated']);
  });
});

describe('validation', () => {
  const future = new Date(Date.now() + 2 * 3600_000).toISOString();
  const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing alert_id', { alert_id: undefined }, 'alert_id'],
    ['alert_id with a slash', { alert_id: 'A/1' }, 'alert_id'],
    ['alert_id over 128 characters', { alert_id: 'A'.repeat(129) }, 'alert_id'],
    ['empty alert_type', { alert_type: '' }, 'alert_type'],
    ['blank alert_type', { alert_type: '   ' }, 'alert_type'],
    ['alert_type over 100 characters', { alert_type: 't'.repeat(101) }, 'alert_type'],
    ['unknown severity', { severity: 'urgent' }, 'severity'],
    ['severity in capitals', { severity: 'HIGH' }, 'severity'],
    ['empty description', { description: '' }, 'description'],
    ['description over 10000 characters', { description: 'd'.repeat(10_001) }, 'description'],
    ['description as a number', { description: 42 }, 'description'],
    ['affected_systems not an array', { affected_systems: 'db-1' }, 'affected_systems'],
    ['affected_systems with an empty name', { affected_systems: ['db-1', ''] }, 'affected_systems'],
    ['affected_systems with a number', { affected_systems: [1] }, 'affected_systems'],
    [
      'affected_systems over 100 entries',
      { affected_systems: Array.from({ length: 101 }, (_, i) => `s${i}`) },
      'affected_systems',
    ],
    ['affected_systems with a 201-character name', { affected_systems: ['s'.repeat(201)] }, 'affected_systems'],
    ['detected_at not ISO 8601', { detected_at: 'yesterday' }, 'detected_at'],
    ['detected_at as epoch number', { detected_at: 1764800000 }, 'detected_at'],
    ['detected_at without a time', { detected_at: '2025-11-28' }, 'detected_at'],
    ['detected_at without an offset', { detected_at: '2025-11-28T10:00:00' }, 'detected_at'],
    ['detected_at two hours ahead', { detected_at: future }, 'detected_at'],
    ['context an array', { context: [1, 2] }, 'context'],
    ['context a string', { context: 'x' }, 'context'],
    ['context seven levels deep', { context: deep }, 'context'],
    ['context over 32 KB', { context: { blob: 'x'.repeat(33_000) } }, 'context'],
    ['compliance_frameworks not an array', { compliance_frameworks: 'SOC2' }, 'compliance_frameworks'],
    [
      'compliance_frameworks over 20 entries',
      { compliance_frameworks: Array.from({ length: 21 }, (_, i) => `F${i}`) },
      'compliance_frameworks',
    ],
    [
      'compliance_frameworks with a 51-character name',
      { compliance_frameworks: ['F'.repeat(51)] },
      'compliance_frameworks',
    ],
    ['unknown status', { status: 'closed' }, 'status'],
  ];

  it.each(cases)('answers 422 naming the field for %s', async (_name, override, field) => {
    const answer = await deliver(gateway, alertBody(override));
    expectProblem(answer, 422, 'ALERT.INVALID');
    expect(answer.json.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) as unknown }]));
  });

  it('names every invalid field at once', async () => {
    const answer = await deliver(gateway, alertBody({ severity: 'x', alert_type: '', affected_systems: 'y' }));
    const fields = (answer.json.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['affected_systems', 'alert_type', 'severity']);
  });

  it('answers 422 for a JSON array body', async () => {
    const body = '[]';
    expectProblem(await post(gateway, body, signedHeaders(body)), 422, 'ALERT.INVALID');
  });

  it('accepts an alert without the optional context, frameworks and status, storing the defaults', async () => {
    const alert = alertBody({ context: undefined, compliance_frameworks: undefined });
    const answer = await deliver(gateway, alert);
    expect(answer.status).toBe(202);
    expect((await storedAlert(String(alert.alert_id)))?.body).toMatchObject({
      context: {},
      compliance_frameworks: [],
      status: 'firing',
    });
  });

  it('accepts an unknown alert type', async () => {
    expect((await deliver(gateway, alertBody({ alert_type: 'never_seen_before' }))).status).toBe(202);
  });
});

describe('Prefer: wait', () => {
  it('answers the seed success shape with 200 once the meeting exists', async () => {
    const alert = alertBody({ severity: 'critical' });
    const alertId = String(alert.alert_id);
    setTimeout(() => audit.book(alertId, `MTG-${alertId}`), 600);

    const answer = await deliver(gateway, alert, { prefer: 'wait=10' });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('preference-applied')).toBe('wait=10');
    expect(answer.json).toEqual({
      status: 'success',
      message: `Alert ${alertId} processed and meeting MTG-${alertId} created`,
      data: {
        alert_id: alertId,
        meeting_id: `MTG-${alertId}`,
        meeting_url: `http://localhost:8000/meetings/MTG-${alertId}`,
        urgency: { level: 'CRITICAL', score: 1, recommended_response_time: '< 1 hour' },
        workflow_result: { root_cause: 'Brute force attack', compliance_status: 'violation_detected' },
      },
    });
  });

  it('answers 202 with the link to poll when the meeting does not exist in time', async () => {
    const started = Date.now();
    const answer: HttpAnswer = await deliver(gateway, alertBody(), { prefer: 'wait=1' });
    expect(answer.status).toBe(202);
    expect(answer.json.links).toEqual({ alert: `/alerts/${String(answer.json.alert_id)}` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('caps the wait at 30 seconds', async () => {
    const alert = alertBody();
    audit.book(String(alert.alert_id), 'MTG-capped');
    const answer = await deliver(gateway, alert, { prefer: 'respond-async, wait=999' });
    expect(answer.headers.get('preference-applied')).toBe('wait=30');
  });
});

describe('problem details for routes', () => {
  it('answers unknown routes with problem+json 404', async () => {
    const answer = await post(gateway, '{}', { 'content-type': 'application/json' }, '/webhooks/nope');
    expectProblem(answer, 404, 'HTTP.NOT_FOUND');
  });
});

function meetingView(alertId: string, meetingId: string): MeetingView {
  return {
    meeting_id: meetingId,
    alert_id: alertId,
    meeting_title: 'Security incident review',
    scheduled_time: new Date(Date.now() + 3600_000).toISOString(),
    duration_minutes: 60,
    meeting_url: `http://localhost:8000/meetings/${meetingId}`,
    attendees: [{ role: 'Security Lead', name: 'Ada', email: 'ada@example.com' }],
    urgency_level: 'CRITICAL',
    urgency_score: 1,
    why_scheduled: 'Critical security incident',
    discussion_points: ['Contain'],
    pre_meeting_summary: 'Summary',
    status: 'scheduled',
  };
}

function alertDetail(alertId: string, meetingId: string): AlertDetail {
  return {
    alert_id: alertId,
    alert_type: 'security_incident',
    severity: 'critical',
    description: 'Unauthorized access attempt detected',
    affected_systems: ['prod-db-01'],
    status: 'firing',
    root_cause: 'Brute force attack',
    recommendations: [],
    compliance_status: 'violation_detected',
    compliance_violations: [],
    meeting_created: true,
    meeting_id: meetingId,
    urgency_level: 'CRITICAL',
    urgency_score: 1,
    recommended_response_time: null,
    detected_at: new Date().toISOString(),
    processed_at: new Date().toISOString(),
    created_at: new Date().toISOString(),
    trace_id: null,
    timeline: [],
  };
}
