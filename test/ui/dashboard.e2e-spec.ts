import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';
import { eventually } from '../support/eventually';
import { REPO_ROOT } from '../support/processes';
import { alertFactory, postAlert } from '../support/webhook';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, 'test-results');
const JAEGER_UI_URL = 'http://127.0.0.1:16686';
const credentials = { apiKey: 'ui-e2e-webhook-key', secret: 'ui-e2e-webhook-secret' };

interface TimelineJson {
  timeline: { topic: string }[];
}

/** Accepts OTLP/HTTP exports and drops them, so Convene traces (and records trace ids) as it would for Jaeger. */
async function startOtlpSink(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('the page at / follows an alert from webhook to invite (embedded mode, headless Chromium)', () => {
  let convene: EmbeddedConvene;
  let baseUrl: string;
  let otlp: { server: Server; url: string };
  let browser: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const alert = alertFactory({
    alert_id: `UI-${Date.now()}`,
    description: 'Unauthorized access on prod-db-01 <script>alert("xss")</script>',
    affected_systems: ['prod-db-01', 'auth-service'],
  });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No Chromium at ${CHROMIUM}: run scripts/ci/install-chromium.sh (or set CHROMIUM_PATH).`);
    }
    await mkdir(SCREENSHOTS, { recursive: true });
    otlp = await startOtlpSink();
    convene = await startEmbeddedConvene('ui', credentials, { JAEGER_UI_URL, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
    baseUrl = convene.baseUrl;

    const answer = await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' });
    expect(answer.status).toBe(200);
    await eventually(async () => {
      const detail = (await (await fetch(`${baseUrl}/alerts/${String(alert.alert_id)}`)).json()) as TimelineJson;
      return detail.timeline.some((entry) => entry.topic === 'notification.delivered') ? detail : undefined;
    }, 20_000);

    // A fresh profile per run: launchPersistentContext passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(join(convene.dataDir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await convene?.destroy();
    await new Promise((resolve) => otlp?.server.close(resolve));
  });

  it('lists the alert on the home page under a strict Content-Security-Policy', async () => {
    const response = await page.goto(`${baseUrl}/`);

    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(response?.headers()['content-security-policy']).not.toContain('unsafe-inline');
    await expect(page.locator('a.alert-link', { hasText: String(alert.alert_id) }).count()).resolves.toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'ui-home.png'), fullPage: true });
  }, 30_000);

  it('opens the alert with its four stages, the attendees and why each was invited', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator('a.alert-link', { hasText: String(alert.alert_id) }).click();
    await page.waitForURL(`**/ui/alerts/${String(alert.alert_id)}`);

    for (const stage of ['received', 'analyzed', 'scheduled', 'notified']) {
      await expect(page.locator(`[data-stage="${stage}"]`).getAttribute('class')).resolves.toContain('done');
      await expect(page.locator(`[data-stage="${stage}"] .stage-time`).innerText()).resolves.toMatch(/UTC$/);
    }
    const attendees = await page.locator('table.attendees tbody tr').allInnerTexts();
    expect(attendees.join('\n')).toMatch(/CISO.*Owns this alert type/);
    expect(attendees.join('\n')).toMatch(/Management.*Escalation: high or critical severity/);
    expect(attendees.join('\n')).toMatch(/Executive Sponsor.*Escalation: executive sponsor/);
    await expect(page.locator('ol.agenda li').count()).resolves.toBeGreaterThanOrEqual(5);
    await expect(page.locator('a.trace').getAttribute('href')).resolves.toMatch(
      new RegExp(`^${JAEGER_UI_URL}/trace/[0-9a-f]{32}$`),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'ui-alert.png'), fullPage: true });
  }, 30_000);

  it('shows hostile alert text as text and runs no script from it', async () => {
    await page.goto(`${baseUrl}/ui/alerts/${String(alert.alert_id)}`);

    await expect(page.locator('p.lede').innerText()).resolves.toContain('<script>alert("xss")</script>');
    expect(dialogs).toEqual([]);
  }, 30_000);

  it('downloads the invite as a calendar file', async () => {
    await page.goto(`${baseUrl}/ui/alerts/${String(alert.alert_id)}`);
    const href = await page.locator('a.invite').getAttribute('href');
    const invite = await fetch(`${baseUrl}${href ?? ''}`);

    expect(invite.headers.get('content-type')).toContain('text/calendar');
    expect(await invite.text()).toContain('BEGIN:VEVENT');
  }, 30_000);
});
