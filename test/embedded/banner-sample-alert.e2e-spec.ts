import { spawn } from 'node:child_process';
import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';

interface SeedSuccess {
  status: string;
  data: { alert_id: string; meeting_id: string; meeting_url: string; urgency: { level: string } };
}

interface BashAnswer {
  httpStatus: number;
  body: string;
}

const SAMPLE_ALERT_ID = 'SEC-2025-001';

/**
 * The banner's "Send a signed sample alert" lines exactly as printed, from `body=` to the curl
 * line that sends it, so the test runs what a user would paste.
 */
function printedSampleAlertLines(output: string): string {
  const lines = output.split('\n');
  const first = lines.findIndex((line) => /^\s+body='/.test(line));
  const last = lines.findIndex((line, index) => index > first && line.trimEnd().endsWith('-d "$body"'));
  if (first < 0 || last < 0) throw new Error(`no sample alert lines in the banner:\n${output}`);
  return lines.slice(first, last + 1).join('\n');
}

/**
 * Runs the printed lines in bash. `curl` is wrapped only to report the HTTP status after the
 * body: the printed command itself (flags, headers, signature pipeline) runs unchanged.
 */
function runInBash(printed: string): Promise<BashAnswer> {
  const script = ['set -e -o pipefail', `curl() { command curl --write-out '\\n%{http_code}' "$@"; }`, printed].join(
    '\n',
  );
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bash exited ${code}: ${stderr}`));
      const cut = stdout.lastIndexOf('\n');
      resolve({ httpStatus: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) });
    });
  });
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

describe("embedded Convene: the banner's sample alert, and a restart", () => {
  let convene: EmbeddedConvene;
  let baseUrl: string;
  let booked: SeedSuccess | undefined;

  beforeAll(async () => {
    convene = await startEmbeddedConvene('banner', 'generated');
    baseUrl = convene.baseUrl;
  }, 120_000);

  afterAll(async () => {
    await convene?.destroy();
  });

  it('books the sample alert with a 200 and its meeting when bash runs the curl lines the banner prints', async () => {
    const printed = printedSampleAlertLines(convene.process.output());

    const answer = await runInBash(printed);

    expect(answer.httpStatus).toBe(200);
    booked = JSON.parse(answer.body) as SeedSuccess;
    expect(booked.status).toBe('success');
    expect(booked.data.alert_id).toBe(SAMPLE_ALERT_ID);
    expect(booked.data.meeting_id).toMatch(/\S/);
    expect(booked.data.meeting_url).toMatch(/^https?:\/\//);
    expect(booked.data.urgency.level).toBe('CRITICAL');
  }, 60_000);

  it('still lists the alert and its meeting after a restart on the same DATA_DIR, and books no second meeting when the banner sends it again', async () => {
    expect(booked).toBeDefined();
    const meetingId = booked?.data.meeting_id;
    await expect(convene.process.stop('SIGTERM')).resolves.toBe(0);

    const restarted = await convene.restart();
    const alerts = await getJson<{ alerts: { alert_id: string; meeting_id: string | null }[] }>(
      `${baseUrl}/alerts/recent`,
    );
    const meetings = await getJson<{ meetings: { meeting_id: string; alert_id: string }[] }>(
      `${baseUrl}/meetings/recent`,
    );
    const again = await runInBash(printedSampleAlertLines(restarted.output()));
    const meetingsAfter = await getJson<{ meetings: { meeting_id: string; alert_id: string }[] }>(
      `${baseUrl}/meetings/recent`,
    );

    expect(alerts.alerts).toContainEqual(expect.objectContaining({ alert_id: SAMPLE_ALERT_ID, meeting_id: meetingId }));
    expect(meetings.meetings).toContainEqual(
      expect.objectContaining({ alert_id: SAMPLE_ALERT_ID, meeting_id: meetingId }),
    );
    expect(again.httpStatus).toBe(200);
    expect((JSON.parse(again.body) as SeedSuccess).data.meeting_id).toBe(meetingId);
    expect(meetingsAfter.meetings.filter((meeting) => meeting.alert_id === SAMPLE_ALERT_ID)).toHaveLength(1);
  }, 120_000);
});
