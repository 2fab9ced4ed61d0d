import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert, Severity } from '#libs/contracts';
import type { ConveneEvent } from '#libs/messaging';
import type { DataSource } from 'typeorm';
import { AUDIT_MIGRATIONS } from '../../apps/audit/src/migrations';
import {
  alertAnalyzed,
  alertReceived,
  aMeeting,
  anAlert,
  meetingScheduled,
} from '../../apps/audit/src/testing/audit-events.factory';
import { auditHarness } from '../../apps/audit/src/testing/audit-harness';
import { InProcessAuditQuery } from '../../embedded/src/in-process-audit-query';
import { openTestServiceDatabase } from '../support/database';
import { startAuditQueryApi } from './support/audit-query-api';
import {
  API_KEYS,
  alertBody,
  deliver,
  expectProblem,
  gatewayDatabase,
  get,
  type HttpAnswer,
  READ_KEY,
  type RunningGateway,
  startGateway,
} from './support/gateway-harness';

jest.setTimeout(60_000);

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:mtg-1@convene\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
const ALERT = {
  alert_id: 'SEC-1',
  alert_type: 'security_incident',
  severity: 'critical',
  meeting_id: 'MTG-1',
  timeline: [{ topic: 'alert.received' }],
};
const MEETING = { meeting_id: 'MTG-1', alert_id: 'SEC-1', meeting_title: 'Review', urgency_level: 'CRITICAL' };

/** The audit service's query API as agreed: GET /internal/... with the seed's field names. */
function auditStub(): { server: Server; requests: string[] } {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.url ?? '');
    const url = new URL(request.url ?? '/', 'http://audit');
    const send = (status: number, body: unknown, type = 'application/json'): void => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    switch (url.pathname) {
      case '/internal/alerts/recent':
        return send(200, { items: [ALERT], next_cursor: 'c2' });
      case '/internal/meetings/recent':
        return send(200, { items: [MEETING], next_cursor: null });
      case '/internal/alerts/SEC-1':
        return send(200, ALERT);
      case '/internal/meetings/MTG-1':
        return send(200, MEETING);
      case '/internal/meetings/MTG-1/invite.ics':
        return send(200, ICS, 'text/calendar');
      case '/internal/alerts/BROKEN':
        return send(500, { oops: 'stack at x.js:1' });
      default:
        return send(404, { code: 'AUDIT.NOT_FOUND' });
    }
  });
  return { server, requests };
}

let database: Awaited<ReturnType<typeof gatewayDatabase>>;
let audit: ReturnType<typeof auditStub>;
let open: RunningGateway;
let guarded: RunningGateway;

beforeAll(async () => {
  database = await gatewayDatabase();
  audit = auditStub();
  await new Promise<void>((resolve) => audit.server.listen(0, '127.0.0.1', resolve));
  const auditUrl = `http://127.0.0.1:${(audit.server.address() as AddressInfo).port}`;
  open = await startGateway(database.database.url, { AUDIT_URL: auditUrl });
  guarded = await startGateway(database.database.url, { AUDIT_URL: auditUrl, HOST: '0.0.0.0' });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await new Promise((resolve) => audit?.server.close(resolve));
  await database?.close();
});

describe('query routes over the audit query API', () => {
  it('lists recent alerts with the limit and cursor passed through', async () => {
    const answer = await get(open, '/alerts/recent?limit=5&cursor=c1');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ alerts: [ALERT], count: 1, next_cursor: 'c2' });
    expect(audit.requests).toContain('/internal/alerts/recent?limit=5&cursor=c1');
  });

  it('forwards only the parameters a route takes and leaves their defaults to the audit service', async () => {
    const answer = await get(open, '/meetings/recent?urgency=high&colour=red');
    expect(answer.json).toEqual({ meetings: [MEETING], count: 1, next_cursor: null });
    expect(audit.requests).toContain('/internal/meetings/recent?urgency=high');

    await get(open, '/reports/meeting-rate?limit=3');
    expect(audit.requests).toContain('/internal/reports/meeting-rate');
  });

  it('forwards a repeated parameter as repeated, for the audit service to reject', async () => {
    await get(open, '/alerts/recent?severity=high&severity=low');
    expect(audit.requests).toContain('/internal/alerts/recent?severity=high&severity=low');
  });

  it('returns one alert with its timeline, and one meeting', async () => {
    expect((await get(open, '/alerts/SEC-1')).json).toEqual(ALERT);
    expect((await get(open, '/meetings/MTG-1')).json).toEqual(MEETING);
  });

  it('returns the invite as text/calendar', async () => {
    const answer = await get(open, '/meetings/MTG-1/invite.ics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(answer.text).toBe(ICS);
  });

  it('answers 404 problems for unknown alerts, meetings and invites', async () => {
    expectProblem(await get(open, '/alerts/NOPE'), 404, 'ALERT.NOT_FOUND');
    expectProblem(await get(open, '/meetings/NOPE'), 404, 'MEETING.NOT_FOUND');
    expectProblem(await get(open, '/meetings/NOPE/invite.ics'), 404, 'MEETING.NOT_FOUND');
  });

  it('answers 503 AUDIT.UNAVAILABLE when the audit service fails, without its body', async () => {
    const answer = await get(open, '/alerts/BROKEN');
    expectProblem(answer, 503, 'AUDIT.UNAVAILABLE');
    expect(answer.text).not.toContain('oops');
  });
});

describe('read access', () => {
  it('needs no key in embedded mode on a loopback HOST', async () => {
    expect((await get(open, '/alerts/SEC-1')).status).toBe(200);
  });

  it('answers 401 without a key when HOST is not loopback', async () => {
    expectProblem(await get(guarded, '/alerts/SEC-1'), 401, 'AUTH.API_KEY_MISSING');
    expectProblem(await get(guarded, '/status'), 401, 'AUTH.API_KEY_MISSING');
  });

  it('answers 403 for a wrong key and 200 for a read key or a webhook key', async () => {
    expectProblem(await get(guarded, '/alerts/SEC-1', { 'x-api-key': 'wrong' }), 403, 'AUTH.API_KEY_INVALID');
    expect((await get(guarded, '/alerts/SEC-1', { 'x-api-key': READ_KEY })).status).toBe(200);
    expect((await get(guarded, '/alerts/SEC-1', { 'x-api-key': API_KEYS[1] })).status).toBe(200);
  });
});

describe('status, metrics and docs', () => {
  it('counts received alerts by status and severity', async () => {
    await deliver(open, alertBody({ severity: 'critical' }));
    await deliver(open, alertBody({ severity: 'low', status: 'resolved' }));
    const answer = await get(open, '/status');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      service: 'gateway',
      alerts: { total: 2, firing: 1, resolved: 1, by_severity: { critical: 1, low: 1 } },
      replay_nonces: 2,
    });
  });

  it('exposes Prometheus metrics with the request counter by route template', async () => {
    await get(open, '/alerts/SEC-1');
    const answer = await get(open, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/http_requests_total\{method="GET",route="\/alerts\/:alert_id",status="200"\} \d+/);
    expect(answer.text).toContain('http_request_duration_seconds_bucket');
    expect(answer.text).toContain('process_cpu_seconds_total');
  });

  it('serves an OpenAPI 3.1 document generated from the code', async () => {
    const answer = await get(open, '/docs/json');
    expect(answer.status).toBe(200);
    expect(answer.json.openapi).toBe('3.1.0');
    expect(answer.text).not.toContain('"nullable"');
    const paths = answer.json.paths as Record<string, Record<string, { description?: string; responses: object }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/webhooks/chainsync/alert',
        '/alerts/recent',
        '/alerts/{alert_id}',
        '/meetings/{meeting_id}/invite.ics',
        '/reports/high-priority-without-meeting',
        '/reports/upcoming-meetings',
        '/reports/meeting-rate',
        '/reports/violations-by-framework',
        '/audit/verify',
        '/status',
      ]),
    );
    expect(paths['/metrics']).toBeUndefined();
    const recent = paths['/alerts/recent']?.get as unknown as { parameters: { name: string; schema: object }[] };
    expect(recent.parameters.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'severity', 'alert_type', 'status', 'from', 'to']),
    );
    expect(recent.parameters.find((parameter) => parameter.name === 'severity')?.schema).toEqual({
      enum: ['critical', 'high', 'medium', 'low'],
    });
    expect(Object.keys(paths['/reports/meeting-rate']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '503']),
    );
    const webhook = paths['/webhooks/chainsync/alert']?.post;
    expect(Object.keys(webhook?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '202', '400', '401', '403', '409', '413', '415', '422', '429']),
    );
    expect(webhook?.description).toContain('never downgrades');
    const schemas = (answer.json.components as { schemas: Record<string, unknown> }).schemas;
    expect(schemas).toHaveProperty('AlertPayloadDto');
  });
});

interface SeededAlert {
  id: string;
  severity: Severity;
  type: string;
  status: Alert['status'];
  meeting?: { id: string; level: 'CRITICAL' | 'MEDIUM'; score: number; startsInMinutes: number };
  violations?: Record<string, string[]>;
}

/** Received a minute apart in this order, so the last one is the newest. */
const SEEDED: SeededAlert[] = [
  {
    id: 'A-CRIT-MTG',
    severity: 'critical',
    type: 'security_incident',
    status: 'firing',
    meeting: { id: 'M-CRIT', level: 'CRITICAL', score: 1, startsInMinutes: 120 },
    violations: { 'PCI-DSS': ['3.4'], SOC2: ['CC7.2'] },
  },
  {
    id: 'A-HIGH-OPEN',
    severity: 'high',
    type: 'system_failure',
    status: 'firing',
    violations: { 'PCI-DSS': ['10.2'] },
  },
  { id: 'A-HIGH-RESOLVED', severity: 'high', type: 'security_incident', status: 'resolved' },
  {
    id: 'A-MED-MTG',
    severity: 'medium',
    type: 'capacity_warning',
    status: 'firing',
    meeting: { id: 'M-MED', level: 'MEDIUM', score: 0.5, startsInMinutes: 60 },
  },
  { id: 'A-LOW', severity: 'low', type: 'capacity_warning', status: 'firing' },
  {
    id: 'A-CRIT-OPEN',
    severity: 'critical',
    type: 'compliance_violation',
    status: 'firing',
    violations: { GDPR: ['32'] },
  },
];
const NEWEST_FIRST = SEEDED.map((alert) => alert.id).reverse();
const SEEDED_EVENTS = SEEDED.length * 2 + SEEDED.filter((alert) => alert.meeting).length;

function eventsOf(seeded: SeededAlert, index: number, now: number): ConveneEvent[] {
  const received_at = new Date(now - (SEEDED.length - index) * 60_000).toISOString();
  const alert = anAlert({
    alert_id: seeded.id,
    severity: seeded.severity,
    alert_type: seeded.type,
    status: seeded.status,
    detected_at: new Date(Date.parse(received_at) - 1_000).toISOString(),
  });
  const events: ConveneEvent[] = [
    alertReceived(alert, { received_at }),
    alertAnalyzed(alert, { received_at, violations: seeded.violations, books_meeting: seeded.meeting !== undefined }),
  ];
  if (seeded.meeting) {
    const meeting = aMeeting(seeded.id, {
      meeting_id: seeded.meeting.id,
      urgency: { level: seeded.meeting.level, score: seeded.meeting.score },
      start: new Date(now + seeded.meeting.startsInMinutes * 60_000).toISOString(),
    });
    events.push(meetingScheduled(meeting, received_at));
  }
  return events;
}

function idsOf(answer: HttpAnswer, key: 'alerts' | 'meetings'): string[] {
  expect(answer.status).toBe(200);
  return (answer.json[key] as { alert_id: string; meeting_id: string }[]).map((item) =>
    key === 'alerts' ? item.alert_id : item.meeting_id,
  );
}

describe('queries, reports and verify over a real audit service', () => {
  let auditDatabase: { dataSource: DataSource; close(): Promise<void> };
  let auditApi: Awaited<ReturnType<typeof startAuditQueryApi>>;
  const gateways: Record<'distributed' | 'embedded', RunningGateway | undefined> = {
    distributed: undefined,
    embedded: undefined,
  };

  beforeAll(async () => {
    auditDatabase = await openTestServiceDatabase({ service: 'audit', entities: [], migrations: AUDIT_MIGRATIONS });
    const harness = auditHarness(auditDatabase.dataSource);
    const now = Date.now();
    for (const [index, seeded] of SEEDED.entries()) await harness.deliverAll(eventsOf(seeded, index, now));
    auditApi = await startAuditQueryApi(harness.queries);
    gateways.distributed = await startGateway(database.database.url, { AUDIT_URL: auditApi.url, HOST: '0.0.0.0' });
    gateways.embedded = await startGateway(
      database.database.url,
      { HOST: '0.0.0.0' },
      { auditQuery: new InProcessAuditQuery(harness.queries) },
    );
  });

  afterAll(async () => {
    await gateways.distributed?.close();
    await gateways.embedded?.close();
    await auditApi?.close();
    await auditDatabase?.close();
  });

  describe.each(['distributed', 'embedded'] as const)('through the %s adapter', (mode) => {
    const read = (path: string): Promise<HttpAnswer> => {
      const gateway = gateways[mode];
      if (!gateway) throw new Error(`the ${mode} gateway did not start`);
      return get(gateway, path, { 'x-api-key': READ_KEY });
    };

    it('filters alerts by severity, by type and status together, and by status alone', async () => {
      expect(idsOf(await read('/alerts/recent?severity=critical'), 'alerts')).toEqual(['A-CRIT-OPEN', 'A-CRIT-MTG']);
      expect(idsOf(await read('/alerts/recent?alert_type=capacity_warning&status=firing'), 'alerts')).toEqual([
        'A-LOW',
        'A-MED-MTG',
      ]);
      expect(idsOf(await read('/alerts/recent?status=resolved'), 'alerts')).toEqual(['A-HIGH-RESOLVED']);
    });

    it('bounds alerts by received time, from inclusive and to exclusive', async () => {
      const all = (await read('/alerts/recent?limit=100')).json.alerts as { alert_id: string; created_at: string }[];
      const createdAt = (id: string): string => all.find((alert) => alert.alert_id === id)?.created_at ?? 'missing';
      const window = new URLSearchParams({ from: createdAt('A-HIGH-RESOLVED'), to: createdAt('A-LOW') });

      expect(idsOf(await read(`/alerts/recent?${window.toString()}`), 'alerts')).toEqual([
        'A-MED-MTG',
        'A-HIGH-RESOLVED',
      ]);
    });

    it('pages through every alert exactly once with limit and cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `limit=4&cursor=${encodeURIComponent(cursor)}` : 'limit=4';
        const answer = await read(`/alerts/recent?${query}`);
        seen.push(...idsOf(answer, 'alerts'));
        cursor = answer.json.next_cursor as string | null;
        pages += 1;
      } while (cursor && pages < 5);

      expect(seen).toEqual(NEWEST_FIRST);
      expect(pages).toBe(2);
    });

    it('filters meetings by urgency in any case and by status', async () => {
      expect(idsOf(await read('/meetings/recent'), 'meetings')).toEqual(['M-MED', 'M-CRIT']);
      expect(idsOf(await read('/meetings/recent?urgency=critical'), 'meetings')).toEqual(['M-CRIT']);
      expect(idsOf(await read('/meetings/recent?urgency=MEDIUM&status=scheduled'), 'meetings')).toEqual(['M-MED']);
      expect(idsOf(await read('/meetings/recent?status=cancelled'), 'meetings')).toEqual([]);
    });

    it('answers 400 QUERY.INVALID naming each invalid parameter, for lists and reports alike', async () => {
      const alerts = await read('/alerts/recent?limit=500&severity=urgent&from=yesterday');
      expectProblem(alerts, 400, 'QUERY.INVALID');
      expect((alerts.json.errors as { field: string }[]).map((error) => error.field)).toEqual([
        'limit',
        'severity',
        'from',
      ]);
      expect(alerts.json.instance).toBe('/alerts/recent');

      const repeated = await read('/alerts/recent?severity=high&severity=low');
      expect(repeated.json.errors).toEqual([
        { field: 'severity', message: 'severity must be one of critical, high, medium, low.' },
      ]);

      const meetings = await read('/meetings/recent?urgency=someday&cursor=not-a-cursor');
      expectProblem(meetings, 400, 'QUERY.INVALID');
      expect((meetings.json.errors as { field: string }[]).map((error) => error.field)).toEqual(['cursor', 'urgency']);

      const report = await read('/reports/meeting-rate?days=0');
      expectProblem(report, 400, 'QUERY.INVALID');
      expect(report.json.errors).toEqual([
        { field: 'days', message: 'days is not valid: Window in days back from now, 1 to 3650.' },
      ]);
    });

    it('reports firing high-priority alerts without a meeting, newest detected first, up to limit', async () => {
      const report = await read('/reports/high-priority-without-meeting');
      expect(idsOf(report, 'alerts')).toEqual(['A-CRIT-OPEN', 'A-HIGH-OPEN']);
      expect(report.json.count).toBe(2);

      expect(idsOf(await read('/reports/high-priority-without-meeting?limit=1'), 'alerts')).toEqual(['A-CRIT-OPEN']);
    });

    it('reports upcoming meetings most urgent first, even when a less urgent one starts sooner', async () => {
      const report = await read('/reports/upcoming-meetings');
      expect(idsOf(report, 'meetings')).toEqual(['M-CRIT', 'M-MED']);
      expect(report.json.count).toBe(2);
    });

    it('reports the meeting rate over the window', async () => {
      const answer = await read('/reports/meeting-rate');
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ window_days: 30, total_alerts: 6, with_meetings: 2, meeting_rate: 33.33 });

      expect((await read('/reports/meeting-rate?days=7')).json).toMatchObject({ window_days: 7, total_alerts: 6 });
    });

    it('reports compliance violations per framework, most violations first', async () => {
      const answer = await read('/reports/violations-by-framework?days=30');
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        window_days: 30,
        items: [
          { framework: 'PCI-DSS', violations: 2, alerts: 2 },
          { framework: 'GDPR', violations: 1, alerts: 1 },
          { framework: 'SOC2', violations: 1, alerts: 1 },
        ],
      });
    });

    it('verifies the intact audit chain as ok, counting every event', async () => {
      const answer = await read('/audit/verify');
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ ok: true, checked: SEEDED_EVENTS, first_broken: null, broken: [] });
    });

    it('keeps reports and verify behind the read key when reads are not open', async () => {
      const gateway = gateways[mode];
      if (!gateway) throw new Error(`the ${mode} gateway did not start`);
      expectProblem(await get(gateway, '/reports/meeting-rate'), 401, 'AUTH.API_KEY_MISSING');
      expectProblem(await get(gateway, '/audit/verify', { 'x-api-key': 'wrong' }), 403, 'AUTH.API_KEY_INVALID');
      expect((await get(gateway, '/audit/verify', { 'x-api-key': API_KEYS[0] })).status).toBe(200);
    });
  });

  // Last, because it breaks the chain both gateways read.
  describe('after a row of the audit log is altered', () => {
    it('verifies the chain as not ok, naming the altered entry, through both adapters', async () => {
      const [victim] = await auditDatabase.dataSource.query<{ seq: string; event_id: string }[]>(
        "SELECT seq, event_id FROM audit_log WHERE topic = 'alert.analyzed' ORDER BY seq LIMIT 1",
      );
      await auditDatabase.dataSource.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await auditDatabase.dataSource.query(
        `UPDATE audit_log SET payload = jsonb_set(payload, '{alert,severity}', '"low"') WHERE seq = $1`,
        [victim.seq],
      );
      await auditDatabase.dataSource.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');

      for (const gateway of [gateways.distributed, gateways.embedded]) {
        if (!gateway) throw new Error('a gateway did not start');
        const answer = await get(gateway, '/audit/verify', { 'x-api-key': READ_KEY });
        expect(answer.status).toBe(200);
        expect(answer.json).toMatchObject({
          ok: false,
          checked: SEEDED_EVENTS,
          first_broken: { seq: Number(victim.seq), event_id: victim.event_id, problem: 'hash_mismatch' },
        });
      }
    });
  });
});
