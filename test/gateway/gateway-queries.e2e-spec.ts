import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  API_KEYS,
  alertBody,
  deliver,
  expectProblem,
  gatewayDatabase,
  get,
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

  it('lists recent meetings with limit 20 by default', async () => {
    const answer = await get(open, '/meetings/recent');
    expect(answer.json).toEqual({ meetings: [MEETING], count: 1, next_cursor: null });
    expect(audit.requests).toContain('/internal/meetings/recent?limit=20');
  });

  it('answers 400 QUERY.INVALID for a limit over 100', async () => {
    expectProblem(await get(open, '/alerts/recent?limit=500'), 400, 'QUERY.INVALID');
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
        '/status',
      ]),
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
