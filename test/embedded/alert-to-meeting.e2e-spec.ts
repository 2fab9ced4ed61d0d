import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';
import { eventually } from '../support/eventually';
import { alertFactory, postAlert } from '../support/webhook';

interface SeedSuccess {
  status: string;
  data: {
    alert_id: string;
    meeting_id: string;
    meeting_url: string;
    urgency: { level: string; score: number; recommended_response_time: string };
    workflow_result: { root_cause: string; compliance_status: string };
  };
}

interface MeetingJson {
  meeting_id: string;
  alert_id: string;
  status: string;
  attendees: { role: string; name: string; email: string }[];
  discussion_points: string[];
}

const credentials = { apiKey: 'e2e-webhook-key', secret: 'e2e-webhook-secret' };

describe('an alert becomes a meeting with invites (embedded mode)', () => {
  let convene: EmbeddedConvene;
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    convene = await startEmbeddedConvene('flow', credentials);
    ({ baseUrl, dataDir } = convene);
  }, 90_000);

  afterAll(async () => {
    await convene?.destroy();
  });

  it('books a critical security incident within the hour with management and the executive sponsor invited', async () => {
    const alert = alertFactory();

    const response = await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' });
    const answer = (await response.json()) as SeedSuccess;

    expect(response.status).toBe(200);
    expect(answer.status).toBe('success');
    expect(answer.data.alert_id).toBe(alert.alert_id);
    expect(answer.data.urgency).toEqual({ level: 'CRITICAL', score: 1, recommended_response_time: '< 1 hour' });
    expect(answer.data.workflow_result.root_cause.length).toBeGreaterThan(10);

    const meeting = (await (await fetch(`${baseUrl}/meetings/${answer.data.meeting_id}`)).json()) as MeetingJson;
    const roles = meeting.attendees.map((attendee) => attendee.role);
    expect(meeting.alert_id).toBe(alert.alert_id);
    expect(roles).toEqual(expect.arrayContaining(['CISO', 'Management', 'Executive Sponsor']));
    expect(meeting.discussion_points.length).toBeGreaterThanOrEqual(5);

    const invite = await (await fetch(`${baseUrl}/meetings/${answer.data.meeting_id}/invite.ics`)).text();
    expect(invite).toContain('METHOD:REQUEST');
    expect(invite).toContain('BEGIN:VEVENT');
  }, 60_000);

  it('writes one .eml invite per attendee when no SMTP server is configured', async () => {
    const alert = alertFactory({ alert_type: 'system_failure', severity: 'high' });
    const answer = (await (await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' })).json()) as SeedSuccess;
    const meeting = (await (await fetch(`${baseUrl}/meetings/${answer.data.meeting_id}`)).json()) as MeetingJson;

    const outbox = join(dataDir, 'outbox');
    const emails = await eventually(async () => {
      const files = (await readdir(outbox).catch(() => [] as string[])).filter((name) => name.endsWith('.eml'));
      const mine = [];
      for (const file of files) {
        const parsed = await simpleParser(await readFile(join(outbox, file)));
        if (parsed.subject?.includes(String(alert.alert_id)) || parsed.text?.includes(meeting.meeting_id)) {
          mine.push(parsed);
        }
      }
      return mine.length >= meeting.attendees.length ? mine : undefined;
    }, 20_000);

    const recipients = emails.flatMap((email) =>
      [email.to].flat().flatMap((to) => (to ? to.value.map((address) => address.address) : [])),
    );
    expect(new Set(recipients)).toEqual(new Set(meeting.attendees.map((attendee) => attendee.email)));
    expect(emails.length).toBe(meeting.attendees.length);
  }, 60_000);

  it('never books a second meeting for a repeated alert, and cancels it when the alert is resolved', async () => {
    const alert = alertFactory({ alert_type: 'integration_failure', severity: 'high' });
    const first = (await (await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' })).json()) as SeedSuccess;

    // ChainSync re-sends with a fresh timestamp; the same signed request again would be a replay.
    const now = Math.floor(Date.now() / 1000);
    const repeated = await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' }, now + 1);
    const again = (await repeated.json()) as SeedSuccess;
    const resolved = await postAlert(baseUrl, { ...alert, status: 'resolved' }, credentials, {}, now + 2);

    expect(repeated.status).toBe(200);
    expect(resolved.status).toBe(202);

    expect(again.data.meeting_id).toBe(first.data.meeting_id);
    const cancelled = await eventually(async () => {
      const meeting = (await (await fetch(`${baseUrl}/meetings/${first.data.meeting_id}`)).json()) as MeetingJson;
      return meeting.status === 'cancelled' ? meeting : undefined;
    }, 20_000);
    expect(cancelled.meeting_id).toBe(first.data.meeting_id);
  }, 60_000);

  it('answers filters, reports and the chain check from the audit log in the same process', async () => {
    const alert = alertFactory({ alert_type: 'compliance_violation', severity: 'low' });
    const answer = (await (await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' })).json()) as SeedSuccess;
    const read = async (path: string): Promise<Record<string, unknown>> => {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };

    const low = (await read('/alerts/recent?severity=low&limit=100')).alerts as {
      alert_id: string;
      severity: string;
    }[];
    expect(low.map((item) => item.alert_id)).toContain(alert.alert_id);
    expect(low.every((item) => item.severity === 'low')).toBe(true);

    const meetings = (await read(`/meetings/recent?urgency=${answer.data.urgency.level.toLowerCase()}`)).meetings as {
      meeting_id: string;
    }[];
    expect(meetings.map((meeting) => meeting.meeting_id)).toContain(answer.data.meeting_id);

    const rate = await read('/reports/meeting-rate?days=1');
    expect(rate).toMatchObject({ window_days: 1, with_meetings: expect.any(Number) as number });
    expect(rate.total_alerts).toBeGreaterThanOrEqual(1);

    const verification = await read('/audit/verify');
    expect(verification).toMatchObject({ ok: true, first_broken: null, broken: [] });
    expect(verification.checked).toBeGreaterThan(0);

    const invalid = await fetch(`${baseUrl}/alerts/recent?severity=urgent`);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([
      'severity',
    ]);
  }, 60_000);
});
