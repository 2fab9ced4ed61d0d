import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayDatabase, READ_KEY, type RunningGateway, startGateway } from './support/gateway-harness';

jest.setTimeout(60_000);

const ALERT = {
  alert_id: 'SEC-UI-1',
  alert_type: 'security_incident',
  severity: 'critical',
  description: 'Unauthorized access attempt',
  affected_systems: ['prod-db-01'],
  recommendations: [],
  compliance_violations: [],
  urgency_level: 'CRITICAL',
  urgency_score: 1,
  meeting_id: null,
  created_at: '2026-12-03T20:00:00.000Z',
  trace_id: null,
  timeline: [],
};

/** The audit service's query API, answering one alert and no meetings. */
function auditStub(): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://audit').pathname;
    const bodies: Record<string, unknown> = {
      '/internal/alerts/recent': { items: [ALERT], next_cursor: null },
      '/internal/meetings/recent': { items: [], next_cursor: null },
      '/internal/alerts/SEC-UI-1': ALERT,
    };
    const body = bodies[path];
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { code: 'AUDIT.NOT_FOUND' }));
  });
}

let database: Awaited<ReturnType<typeof gatewayDatabase>>;
let audit: Server;
let open: RunningGateway;
let guarded: RunningGateway;

beforeAll(async () => {
  database = await gatewayDatabase();
  audit = auditStub();
  await new Promise<void>((resolve) => audit.listen(0, '127.0.0.1', resolve));
  const auditUrl = `http://127.0.0.1:${(audit.address() as AddressInfo).port}`;
  open = await startGateway(database.database.url, { AUDIT_URL: auditUrl });
  guarded = await startGateway(database.database.url, { AUDIT_URL: auditUrl, HOST: '0.0.0.0' });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await new Promise((resolve) => audit?.close(resolve));
  await database?.close();
});

function signIn(gateway: RunningGateway, key: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/ui/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ key }).toString(),
    redirect: 'manual',
  });
}

describe('the page at / and its read access', () => {
  it('shows recent alerts without a key in embedded mode on loopback, under a strict CSP', async () => {
    const response = await fetch(`${open.url}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*style-src 'self'/);
    expect(await response.text()).toContain('href="/ui/alerts/SEC-UI-1"');
  });

  it('answers 401 with the key form, and no alert data, when a key is required and none is sent', async () => {
    const response = await fetch(`${guarded.url}/`);
    const page = await response.text();

    expect(response.status).toBe(401);
    expect(page).toContain('action="/ui/session"');
    expect(page).not.toContain('SEC-UI-1');
    expect((await fetch(`${guarded.url}/ui/alerts/SEC-UI-1`)).status).toBe(401);
  });

  it('accepts the read key in X-API-Key like the JSON routes', async () => {
    const response = await fetch(`${guarded.url}/ui/alerts/SEC-UI-1`, { headers: { 'x-api-key': READ_KEY } });

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Unauthorized access attempt');
  });

  it('trades a valid key for an HttpOnly SameSite=Strict cookie that then opens the page', async () => {
    const signedIn = await signIn(guarded, READ_KEY);
    const cookie = signedIn.headers.get('set-cookie') ?? '';

    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${guarded.url}/`, { headers: { cookie: cookie.split(';')[0] } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SEC-UI-1');
  });

  it('refuses a wrong key without setting a cookie', async () => {
    const response = await signIn(guarded, 'not-a-key');

    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a sign-in posted from another origin', async () => {
    const response = await signIn(guarded, READ_KEY, { origin: 'http://evil.example' });

    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('escapes an alert id in the not-found page', async () => {
    const response = await fetch(`${open.url}/ui/alerts/${encodeURIComponent('<b>x</b>')}`);

    expect(response.status).toBe(404);
    expect(await response.text()).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
