import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';
import { REPO_ROOT } from '../support/processes';

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface MeetingJson {
  meeting_id: string;
  meeting_url: string;
  attendees: { role: string; name: string; email: string; invited_by?: string }[];
}

const credentials = { apiKey: 'e2e-demo-key', secret: 'e2e-demo-secret' };

/** Runs the built demo CLI with stdout and stderr on pipes, as when its output is captured. */
function runDemo(args: string[], env: Record<string, string>): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/demo/src/main.js'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A line of the report's `label  value` column layout. */
function reportLine(label: string, value: string): string {
  return `  ${label.padEnd(18)}${value}`;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the demo CLI (npm run demo) against a running Convene', () => {
  let convene: EmbeddedConvene;
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    convene = await startEmbeddedConvene('demo', credentials);
    ({ baseUrl, dataDir } = convene);
  }, 90_000);

  afterAll(async () => {
    await convene?.destroy();
  });

  it('reports urgency, every invited authority with its rule, the meeting URL and the invites for critical_security, with no spinner in piped output', async () => {
    const run = await runDemo(['critical_security'], {
      CONVENE_URL: baseUrl,
      WEBHOOK_API_KEY: credentials.apiKey,
      WEBHOOK_SECRET_KEY: credentials.secret,
      DATA_DIR: dataDir,
    });
    const alertId = /^ALERT (SEC-\S+)$/m.exec(run.stdout)?.[1] ?? '';
    const detail = (await (await fetch(`${baseUrl}/alerts/${alertId}`)).json()) as { meeting_id: string | null };
    const meeting = (await (await fetch(`${baseUrl}/meetings/${detail.meeting_id}`)).json()) as MeetingJson;

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Convene at ${baseUrl}\n`);
    expect([run.stdout.includes('\r'), run.stdout.includes('\u001b[')]).toEqual([false, false]);
    expect(run.stdout).toContain(reportLine('Type', 'security_incident'));
    expect(run.stdout).toContain(reportLine('Severity', 'CRITICAL'));
    expect(run.stdout).toContain(reportLine('Affected systems', 'prod-db-01, prod-db-02, auth-service'));
    expect(run.stdout).toContain(reportLine('Written by', 'template (no_api_key), all'));
    expect(run.stdout).toContain(reportLine('Level', 'CRITICAL (score 1.00)'));
    expect(run.stdout).toContain(reportLine('Response time', '< 1 hour'));
    expect(run.stdout).toContain(`AUTHORITIES INVITED (${meeting.attendees.length})`);
    const ruleOf = (role: string): string | undefined => meeting.attendees.find((a) => a.role === role)?.invited_by;
    expect([ruleOf('CISO'), ruleOf('Management'), ruleOf('Executive Sponsor')]).toEqual([
      'alert_type',
      'high_severity',
      'executive',
    ]);
    const shownRule: Record<string, string> = {
      alert_type: 'alert type',
      high_severity: 'escalation: high severity',
      executive: 'escalation: executive',
    };
    for (const attendee of meeting.attendees) {
      const rule = shownRule[attendee.invited_by ?? ''] ?? '';
      const row = `• ${escape(attendee.role)} +${escape(`${attendee.name} <${attendee.email}>`)} +${escape(rule)}$`;
      expect(run.stdout).toMatch(new RegExp(row, 'm'));
    }
    expect(run.stdout).toMatch(/^ {2}Slot {14}\S.*\((in \d+ (h \d+ )?min)\)$/m);
    expect(run.stdout).toContain(reportLine('Meeting URL', meeting.meeting_url));
    expect(run.stdout).toContain(reportLine('Invite (.ics)', `${baseUrl}/meetings/${meeting.meeting_id}/invite.ics`));
    expect(run.stdout).toContain(
      reportLine('Email invites', `${meeting.attendees.length} .eml files in ${join(dataDir, 'outbox')}/`),
    );
  }, 90_000);

  it('prints the built-in and custom alert types with their staffed roles, and the escalation rules, for mappings', async () => {
    const run = await runDemo(['mappings'], { CONVENE_URL: baseUrl });

    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('AUTHORITY MAPPINGS  (config/alert_authorities.yaml)');
    expect(run.stdout).toContain('security_incident  ·  built-in  ·  Security  ·  weight 1.00');
    expect(run.stdout).toContain('sla_breach  ·  custom  ·  Customer Success  ·  weight 0.85');
    expect(run.stdout).toMatch(/^ {2}• CISO +Dana Whitfield <ciso@example\.com>$/m);
    expect(run.stdout).toContain('ESCALATION RULES');
    expect(run.stdout).toMatch(/^high_severity: when .*critical.*high.*, also invite\n {2}• Management /m);
    expect(run.stdout).toMatch(/^executive: when .*security_incident.*, also invite\n {2}• Executive Sponsor /m);
  }, 30_000);
});
