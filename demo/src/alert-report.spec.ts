import { type AlertOutcome, describeSlot, field, renderAlertOutcome, renderSummary } from './alert-report';
import type { AlertDetailJson, MeetingJson } from './convene-api';

function detail(overrides: Partial<AlertDetailJson> = {}): AlertDetailJson {
  return {
    alert_id: 'SEC-1',
    alert_type: 'security_incident',
    severity: 'critical',
    description: 'Unauthorized access',
    affected_systems: ['prod-db-01'],
    root_cause: 'Leaked credentials',
    recommendations: ['Rotate credentials'],
    compliance_status: 'violation_detected',
    compliance_violations: [{ framework: 'SOC2', violation: 'SOC2: access control failed' }],
    meeting_id: 'mtg_1',
    urgency_level: 'CRITICAL',
    urgency_score: 1,
    recommended_response_time: '< 1 hour',
    books_meeting: true,
    processed_at: '2026-12-03T20:00:01Z',
    trace_id: null,
    timeline: [],
    analysis_agents: [
      { agent: 'root_cause', source: 'template', model: null, fallback_reason: 'no_api_key' },
      { agent: 'compliance', source: 'template', model: null, fallback_reason: 'no_api_key' },
    ],
    ...overrides,
  };
}

function meeting(overrides: Partial<MeetingJson> = {}): MeetingJson {
  return {
    meeting_id: 'mtg_1',
    meeting_title: 'URGENT: Security Incident Response',
    scheduled_time: '2026-12-03T20:10:00Z',
    duration_minutes: 60,
    timezone: 'UTC',
    meeting_url: 'http://localhost:8000/meetings/mtg_1',
    attendees: [
      { role: 'CISO', name: 'Dana', email: 'ciso@example.com', invited_by: 'alert_type' },
      { role: 'Executive Sponsor', name: 'Alex', email: 'exec@example.com', invited_by: 'executive' },
    ],
    urgency_level: 'CRITICAL',
    urgency_score: 1,
    why_scheduled: 'Because',
    discussion_points: ['Contain', 'Notify'],
    status: 'scheduled',
    ...overrides,
  };
}

function outcome(overrides: Partial<AlertOutcome> = {}): AlertOutcome {
  return {
    alert: { alert_id: 'SEC-1', alert_type: 'security_incident', severity: 'critical', affected_systems: ['a', 'b'] },
    detail: detail(),
    meeting: meeting(),
    inviteUrl: 'http://127.0.0.1:8000/meetings/mtg_1/invite.ics',
    emlFiles: ['mtg_1-v0-scheduled-ciso@example.com.eml'],
    outboxDir: 'data/outbox',
    pageUrl: null,
    error: null,
    ...overrides,
  };
}

describe('renderAlertOutcome', () => {
  it('names the rule that invited each attendee and where the invites are', () => {
    const text = renderAlertOutcome(outcome(), new Date('2026-12-03T20:00:00Z'));

    expect(text).toMatch(/• CISO\s+Dana <ciso@example.com>\s+alert type/);
    expect(text).toMatch(/• Executive Sponsor\s+Alex <exec@example.com>\s+escalation: executive/);
    expect(text).toContain('CRITICAL (score 1.00)');
    expect(text).toContain('template (no_api_key), all 2 agents');
    expect(text).toContain('1 .eml files in data/outbox/');
    expect(text).toContain('http://127.0.0.1:8000/meetings/mtg_1/invite.ics');
  });

  it('says a level that only notifies booked no meeting', () => {
    const text = renderAlertOutcome(
      outcome({ meeting: null, detail: detail({ books_meeting: false, meeting_id: null }) }),
    );

    expect(text).toContain('NO MEETING');
    expect(text).toContain('only notifies');
    expect(text).not.toContain('MEETING SCHEDULED');
  });

  it('lists the source per agent when the LLM wrote some parts and the template others', () => {
    const mixed = detail({
      analysis_agents: [
        { agent: 'root_cause', source: 'llm', model: 'gpt-4o-mini', fallback_reason: null },
        { agent: 'compliance', source: 'template', model: null, fallback_reason: 'timeout' },
      ],
    });

    const text = renderAlertOutcome(outcome({ detail: mixed }));

    expect(text).toMatch(/Written by\s+root_cause: llm \(gpt-4o-mini\)\n\s+compliance: template \(timeout\)/);
  });
});

describe('field', () => {
  it('wraps a long value under the value column and keeps every line within 80 columns', () => {
    const lines = field('Root cause', 'word '.repeat(40).trim()).split('\n');

    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines[1]).toMatch(/^ {20}word/);
  });
});

describe('describeSlot', () => {
  it('shows the slot in the meeting timezone with how far ahead it is', () => {
    expect(describeSlot(meeting(), new Date('2026-12-03T19:52:00Z'))).toBe('Thu 3 Dec 20:10–21:10 UTC (in 18 min)');
  });
});

describe('renderSummary', () => {
  it('aligns one row per alert and marks a failed one', () => {
    const text = renderSummary([outcome(), outcome({ meeting: null, detail: null, error: 'webhook answered 401' })]);

    expect(text).toMatch(/SEC-1\s+security_incident\s+CRITICAL 1.00\s+2\s+60 min/);
    expect(text).toMatch(/SEC-1\s+security_incident\s+—\s+—\s+failed/);
  });
});
