import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Alert,
  EVENT_CATALOGUE,
  type EventPayloads,
  type MeetingSnapshotV1,
  type NotificationOutcomeV1,
  type Topic,
  type UrgencyLevel,
} from '#libs/contracts';
import type { ConveneEvent } from '#libs/messaging';

/** Small factories for the events the audit service consumes; every id is fresh unless given. */

export function newTraceparent(traceId = randomBytes(16).toString('hex')): string {
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

export function envelope<T extends Topic>(
  topic: T,
  subject: string,
  data: EventPayloads[T],
  options: { time?: string; traceparent?: string | null } = {},
): ConveneEvent<T> {
  const entry = EVENT_CATALOGUE[topic];
  return {
    id: randomUUID(),
    topic,
    type: entry.type,
    source: `/convene/${entry.producer}`,
    time: options.time ?? new Date().toISOString(),
    subject,
    traceparent: options.traceparent === undefined ? newTraceparent() : options.traceparent,
    tracestate: null,
    data,
  };
}

export function anAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alert_id: `ALERT-${randomBytes(4).toString('hex')}`,
    alert_type: 'security_incident',
    severity: 'critical',
    description: 'Unauthorized access attempt detected on payment API',
    affected_systems: ['payment-api', 'user-database'],
    detected_at: '2026-12-03T10:00:00.000Z',
    context: { source_ip: '192.0.2.10' },
    compliance_frameworks: ['PCI-DSS', 'SOC2'],
    status: 'firing',
    ...overrides,
  };
}

export interface AlertEventOptions {
  revision?: number;
  received_at?: string;
  traceparent?: string | null;
}

export function alertReceived(alert: Alert, options: AlertEventOptions = {}): ConveneEvent<'alert.received'> {
  const revision = options.revision ?? 1;
  const received_at = options.received_at ?? new Date().toISOString();
  const change = alert.status === 'resolved' ? 'resolved' : revision === 1 ? 'new' : 'escalated';
  return envelope(
    'alert.received',
    alert.alert_id,
    { alert, change, revision, received_at },
    {
      time: received_at,
      traceparent: options.traceparent,
    },
  );
}

export interface AnalysisOptions extends AlertEventOptions {
  level?: UrgencyLevel;
  score?: number;
  books_meeting?: boolean;
  /** Violations per framework. */
  violations?: Record<string, string[]>;
  analyzed_at?: string;
}

export function alertAnalyzed(alert: Alert, options: AnalysisOptions = {}): ConveneEvent<'alert.analyzed'> {
  const received = alertReceived(alert, options).data;
  const violations = options.violations ?? {};
  const analyzed_at = options.analyzed_at ?? new Date(Date.parse(received.received_at) + 2000).toISOString();
  return envelope(
    'alert.analyzed',
    alert.alert_id,
    {
      ...received,
      analyzed_at,
      known_type: true,
      urgency: {
        level: options.level ?? 'CRITICAL',
        score: options.score ?? 1,
        response_window_minutes: 60,
        recommended_response_time: '< 1 hour',
        duration_minutes: 60,
      },
      books_meeting: options.books_meeting ?? true,
      notification_channels: ['email'],
      attendees: [{ role: 'Security Lead', name: 'Ada Lovelace', email: 'ada@example.com', invited_by: 'alert_type' }],
      root_cause: {
        summary: `Credential stuffing against ${alert.affected_systems[0] ?? 'the system'}`,
        five_whys: ['why one'],
        recommendations: ['Rotate credentials', 'Enable rate limiting'],
      },
      compliance: {
        overall_status: Object.keys(violations).length > 0 ? 'violation_detected' : 'compliant',
        risk_level: 'high',
        frameworks: Object.entries(violations).map(([framework, found]) => ({
          framework,
          status: found.length > 0 ? 'violation_detected' : 'compliant',
          findings: [],
          violations: found,
        })),
        regulatory_deadlines: [],
      },
      meeting_context: {
        title: `Incident review: ${alert.alert_id}`,
        why_scheduled: 'Critical incident',
        discussion_points: ['Contain', 'Notify'],
        pre_meeting_summary: 'Summary',
      },
      agents: [
        {
          agent: 'root_cause',
          source: 'llm',
          model: 'gpt-4o-mini',
          input_tokens: 420,
          output_tokens: 180,
          latency_ms: 900,
          fallback_reason: null,
        },
        {
          agent: 'compliance',
          source: 'template',
          model: null,
          input_tokens: 0,
          output_tokens: 0,
          latency_ms: 2,
          fallback_reason: 'timeout',
        },
      ],
    },
    { time: analyzed_at, traceparent: options.traceparent },
  );
}

export function aMeeting(
  alertId: string,
  overrides: Partial<MeetingSnapshotV1> & { sequence?: number } = {},
): MeetingSnapshotV1 {
  const { sequence = 0, ...rest } = overrides;
  const meetingId = rest.meeting_id ?? `MTG-${randomBytes(4).toString('hex')}`;
  const start = rest.start ?? new Date(Date.now() + 30 * 60_000).toISOString();
  return {
    meeting_id: meetingId,
    alert_id: alertId,
    alert_ids: [alertId],
    title: `Incident review: ${alertId}`,
    start,
    end: new Date(Date.parse(start) + 60 * 60_000).toISOString(),
    duration_minutes: 60,
    timezone: 'UTC',
    url: `http://localhost:8000/meetings/${meetingId}`,
    provider: 'builtin',
    attendees: [
      {
        role: 'Security Lead',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        invited_by: 'alert_type',
        has_conflict: false,
      },
    ],
    urgency: { level: 'CRITICAL', score: 1 },
    why_scheduled: 'Critical incident',
    agenda: ['Contain', 'Notify'],
    pre_meeting_summary: 'Summary',
    root_cause: 'Credential stuffing',
    compliance_status: 'at_risk',
    compliance: { overall_status: 'at_risk', risk_level: 'high', frameworks: [], regulatory_deadlines: [] },
    outside_business_hours: false,
    status: 'scheduled',
    invite: { uid: `${meetingId}@convene`, sequence, method: 'REQUEST' },
    invite_ics: `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${meetingId}@convene\r\nSEQUENCE:${sequence}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
    notification_channels: ['email'],
    trace_id: null,
    ...rest,
  };
}

export function meetingScheduled(meeting: MeetingSnapshotV1, time?: string): ConveneEvent<'meeting.scheduled'> {
  return envelope('meeting.scheduled', meeting.alert_id, meeting, { time });
}

export function meetingUpdated(meeting: MeetingSnapshotV1, reason = 'escalated'): ConveneEvent<'meeting.updated'> {
  return envelope('meeting.updated', meeting.alert_id, { ...meeting, reason });
}

export function meetingCancelled(meeting: MeetingSnapshotV1, reason = 'resolved'): ConveneEvent<'meeting.cancelled'> {
  const cancelled = {
    ...meeting,
    status: 'cancelled' as const,
    invite: { ...meeting.invite, method: 'CANCEL' as const },
  };
  return envelope('meeting.cancelled', meeting.alert_id, { ...cancelled, reason });
}

export function notificationOutcome<T extends 'notification.delivered' | 'notification.failed'>(
  topic: T,
  meeting: MeetingSnapshotV1,
  overrides: Partial<NotificationOutcomeV1> = {},
): ConveneEvent<T> {
  const failed = topic === 'notification.failed';
  const outcome: NotificationOutcomeV1 = {
    meeting_id: meeting.meeting_id,
    alert_id: meeting.alert_id,
    meeting_sequence: meeting.invite.sequence,
    channel: 'email',
    recipient: 'ada@example.com',
    attempts: failed ? 5 : 1,
    provider_message_id: failed ? null : `<${randomUUID()}@convene>`,
    error: failed ? 'smtp 550' : null,
    at: new Date().toISOString(),
    ...overrides,
  };
  return envelope(topic, meeting.alert_id, outcome as EventPayloads[T]);
}
