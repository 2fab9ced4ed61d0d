import type { Alert } from './alert';
import type { ComplianceAssessment } from './analysis';
import type { EventPayloads, MeetingScheduledV1 } from './events';

const ALERT: Alert = {
  alert_id: 'chainsync-2026-0042',
  alert_type: 'security_incident',
  severity: 'critical',
  description: 'Unusual privileged logins on the payments cluster',
  affected_systems: ['payments-api', 'vault'],
  detected_at: '2026-12-03T09:12:00Z',
  context: { customer_facing: true, region: 'eu-west-1' },
  compliance_frameworks: ['PCI-DSS', 'GDPR'],
  status: 'firing',
};

const COMPLIANCE: ComplianceAssessment = {
  overall_status: 'at_risk',
  risk_level: 'high',
  frameworks: [
    {
      framework: 'PCI-DSS',
      status: 'at_risk',
      findings: ['Privileged access outside the change window'],
      violations: [],
    },
  ],
  regulatory_deadlines: [
    { framework: 'GDPR', obligation: 'Notify the supervisory authority', due_at: '2026-12-06T09:12:00Z' },
  ],
};

const MEETING_SCHEDULED: MeetingScheduledV1 = {
  meeting_id: 'mtg_01JEXAMPLE0042',
  alert_id: ALERT.alert_id,
  alert_ids: [ALERT.alert_id],
  title: 'CRITICAL: security incident on payments-api, vault',
  start: '2026-12-03T09:45:00Z',
  end: '2026-12-03T10:45:00Z',
  duration_minutes: 60,
  timezone: 'UTC',
  url: 'http://localhost:8000/meetings/mtg_01JEXAMPLE0042',
  provider: 'builtin',
  attendees: [
    {
      role: 'Security Lead',
      name: 'Dana Reyes',
      email: 'dana.reyes@example.com',
      invited_by: 'alert_type',
      has_conflict: false,
    },
    {
      role: 'Executive Sponsor',
      name: 'Sam Okafor',
      email: 'sam.okafor@example.com',
      invited_by: 'executive',
      has_conflict: true,
    },
  ],
  urgency: { level: 'CRITICAL', score: 1 },
  why_scheduled: 'A critical security incident touches customer-facing payment systems.',
  agenda: ['Confirm the scope of the privileged logins', 'Decide on credential rotation', 'GDPR notification'],
  pre_meeting_summary: 'Privileged logins from an unknown network were seen on two payment systems.',
  root_cause: 'A leaked service credential is the most likely cause.',
  compliance_status: 'at_risk',
  compliance: COMPLIANCE,
  outside_business_hours: false,
  status: 'scheduled',
  invite: { uid: 'mtg_01JEXAMPLE0042@convene', sequence: 0, method: 'REQUEST' },
  invite_ics: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n',
  notification_channels: ['email', 'slack', 'chainsync'],
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
};

/**
 * One valid example payload per topic. The AsyncAPI document shows them; tests use them as
 * factories (spread and override what the test is about).
 */
export const EXAMPLE_PAYLOADS: { readonly [T in keyof EventPayloads]: EventPayloads[T] } = {
  'alert.received': { alert: ALERT, change: 'new', revision: 1, received_at: '2026-12-03T09:12:03Z' },
  'alert.analyzed': {
    alert: ALERT,
    change: 'new',
    revision: 1,
    received_at: '2026-12-03T09:12:03Z',
    analyzed_at: '2026-12-03T09:12:09Z',
    known_type: true,
    urgency: {
      level: 'CRITICAL',
      score: 1,
      response_window_minutes: 60,
      recommended_response_time: '< 1 hour',
      duration_minutes: 60,
    },
    books_meeting: true,
    notification_channels: ['email', 'slack', 'chainsync'],
    attendees: MEETING_SCHEDULED.attendees.map(({ role, name, email, invited_by }) => ({
      role,
      name,
      email,
      invited_by,
    })),
    root_cause: {
      summary: 'A leaked service credential is the most likely cause.',
      five_whys: ['Logins used a valid service credential', 'The credential was stored in a CI variable'],
      recommendations: ['Rotate the credential', 'Move CI secrets to the vault'],
    },
    compliance: COMPLIANCE,
    meeting_context: {
      title: MEETING_SCHEDULED.title,
      why_scheduled: MEETING_SCHEDULED.why_scheduled,
      discussion_points: MEETING_SCHEDULED.agenda,
      pre_meeting_summary: MEETING_SCHEDULED.pre_meeting_summary,
    },
    agents: [
      {
        agent: 'root_cause',
        source: 'template',
        model: null,
        input_tokens: 0,
        output_tokens: 0,
        latency_ms: 2,
        fallback_reason: 'no_api_key',
      },
    ],
  },
  'meeting.scheduled': MEETING_SCHEDULED,
  'meeting.updated': {
    ...MEETING_SCHEDULED,
    invite: { ...MEETING_SCHEDULED.invite, sequence: 1 },
    reason: 'escalated',
  },
  'meeting.cancelled': {
    ...MEETING_SCHEDULED,
    status: 'cancelled',
    invite: { ...MEETING_SCHEDULED.invite, sequence: 1, method: 'CANCEL' },
    reason: 'resolved',
  },
  'notification.delivered': {
    meeting_id: MEETING_SCHEDULED.meeting_id,
    alert_id: ALERT.alert_id,
    meeting_sequence: 0,
    channel: 'email',
    recipient: 'dana.reyes@example.com',
    attempts: 1,
    provider_message_id: '<mtg_01JEXAMPLE0042.0@convene>',
    error: null,
    at: '2026-12-03T09:12:15Z',
  },
  'notification.failed': {
    meeting_id: MEETING_SCHEDULED.meeting_id,
    alert_id: ALERT.alert_id,
    meeting_sequence: 0,
    channel: 'slack',
    recipient: '#incidents',
    attempts: 5,
    provider_message_id: null,
    error: 'SLACK.UNAVAILABLE: 503 after 5 attempts',
    at: '2026-12-03T09:14:15Z',
  },
};
