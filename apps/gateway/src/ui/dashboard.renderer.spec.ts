import type { AlertDetail, MeetingView } from '../query/audit-query.port';
import { renderAlertPage, renderDashboard } from './dashboard.renderer';

const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">`;

function alert(overrides: Partial<AlertDetail> = {}): AlertDetail {
  return {
    alert_id: 'SEC-1',
    alert_type: 'security_incident',
    severity: 'critical',
    description: 'Unauthorized access',
    affected_systems: ['prod-db-01'],
    status: 'firing',
    root_cause: 'Leaked credentials',
    recommendations: ['Rotate credentials'],
    compliance_status: 'violation_detected',
    compliance_violations: [],
    meeting_created: true,
    meeting_id: 'mtg_1',
    urgency_level: 'CRITICAL',
    urgency_score: 1,
    recommended_response_time: '< 1 hour',
    detected_at: '2026-12-03T20:00:00Z',
    processed_at: '2026-12-03T20:00:01Z',
    created_at: '2026-12-03T20:00:00Z',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    timeline: [
      entry('alert.received', 'gateway', '2026-12-03T20:00:00.000Z'),
      entry('alert.analyzed', 'analysis', '2026-12-03T20:00:00.400Z'),
      entry('meeting.scheduled', 'scheduling', '2026-12-03T20:00:00.900Z'),
    ],
    ...overrides,
  };
}

function entry(topic: string, service: string, time: string): AlertDetail['timeline'][number] {
  return {
    seq: 1,
    event_id: topic,
    topic,
    type: topic,
    service,
    time,
    received_at: time,
    trace_id: null,
    meeting_id: null,
  };
}

function meeting(overrides: Partial<MeetingView> = {}): MeetingView {
  return {
    meeting_id: 'mtg_1',
    alert_id: 'SEC-1',
    meeting_title: 'URGENT: Security Incident Response',
    scheduled_time: '2026-12-03T20:10:00Z',
    duration_minutes: 60,
    meeting_url: 'http://localhost:8000/meetings/mtg_1',
    attendees: [{ role: 'Executive Sponsor', name: 'Alex', email: 'exec@example.com', invited_by: 'executive' }],
    urgency_level: 'CRITICAL',
    urgency_score: 1,
    why_scheduled: 'A breach may be under way.',
    discussion_points: ['Contain the breach'],
    pre_meeting_summary: 'Summary',
    status: 'scheduled',
    ...overrides,
  };
}

describe('renderAlertPage', () => {
  it('escapes alert text so a hostile description cannot become markup', () => {
    const page = renderAlertPage(
      alert({ description: HOSTILE, alert_id: `"><svg onload=alert(3)>`, affected_systems: [HOSTILE] }),
      meeting({ discussion_points: [HOSTILE], attendees: [{ role: HOSTILE, name: HOSTILE, email: HOSTILE }] }),
      null,
    );

    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<svg');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links a meeting URL only when it is http or https', () => {
    const page = renderAlertPage(alert(), meeting({ meeting_url: 'javascript:alert(1)' }), null);

    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('href="#"');
  });

  it('marks the stages that happened with their times and leaves notification pending', () => {
    const page = renderAlertPage(alert(), meeting(), null);

    expect(page).toMatch(/class="stage done" data-stage="received"[\s\S]*2026-12-03 20:00:00 UTC/);
    expect(page).toMatch(/class="stage done" data-stage="scheduled"[\s\S]*\+900 ms/);
    expect(page).toMatch(/class="stage pending" data-stage="notified"/);
  });

  it('says why each attendee was invited', () => {
    expect(renderAlertPage(alert(), meeting(), null)).toContain(
      'Escalation: executive sponsor for security or compliance',
    );
  });

  it('links the trace in Jaeger when JAEGER_UI_URL is set, and shows the bare id otherwise', () => {
    const linked = renderAlertPage(alert(), meeting(), 'http://127.0.0.1:16686');

    expect(linked).toContain('href="http://127.0.0.1:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736"');
    expect(renderAlertPage(alert(), meeting(), null)).not.toContain('/trace/');
  });
});

describe('renderDashboard', () => {
  it('links each alert to its page with the id URL-encoded', () => {
    const page = renderDashboard([alert({ alert_id: 'A/B?c' })], [meeting()]);

    expect(page).toContain('href="/ui/alerts/A%2FB%3Fc"');
    expect(page).toContain('href="/ui/meetings/mtg_1/invite.ics"');
  });
});
