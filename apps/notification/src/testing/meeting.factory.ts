import type { MeetingAttendee, MeetingSnapshotV1, NotificationChannel } from '#libs/contracts';
import type { ConveneEvent } from '#libs/messaging';
import { randomUUID } from 'node:crypto';
import type { MeetingTopic } from '../deliveries/delivery-planner.service';
import type { MeetingNotice } from '../deliveries/delivery.entity';

const ATTENDEES: MeetingAttendee[] = [
  {
    role: 'Security Lead',
    name: 'Dana Reyes',
    email: 'dana@example.com',
    invited_by: 'alert_type',
    has_conflict: false,
  },
  { role: 'Management', name: 'Lee Park', email: 'lee@example.com', invited_by: 'high_severity', has_conflict: false },
  {
    role: 'Executive Sponsor',
    name: 'Sam <b>Okafor</b>',
    email: 'Sam@Example.com',
    invited_by: 'executive',
    has_conflict: true,
  },
];

/** A meeting as scheduling would announce it, with a real RFC 5545 invite for its version. */
export function buildMeeting(overrides: Partial<MeetingNotice> = {}): MeetingNotice {
  const meetingId = overrides.meeting_id ?? `mtg_${randomUUID()}`;
  const invite = overrides.invite ?? { uid: `${meetingId}@convene.test`, sequence: 0, method: 'REQUEST' as const };
  const base: MeetingSnapshotV1 = {
    meeting_id: meetingId,
    alert_id: 'alert-42',
    alert_ids: ['alert-42'],
    title: 'CRITICAL: security incident on payments-api',
    start: '2026-12-03T10:00:00Z',
    end: '2026-12-03T11:00:00Z',
    duration_minutes: 60,
    timezone: 'Europe/Berlin',
    url: `http://localhost:8000/meetings/${meetingId}`,
    provider: 'builtin',
    attendees: ATTENDEES,
    urgency: { level: 'CRITICAL', score: 1 },
    why_scheduled: 'Privileged logins <script>alert(1)</script> & more on payments-api',
    agenda: ['Contain the intrusion', 'Decide on customer notice'],
    pre_meeting_summary: 'Three admin sessions from an unknown ASN.',
    root_cause: 'A leaked CI token with admin scope.',
    compliance_status: 'violation_detected',
    compliance: {
      overall_status: 'violation_detected',
      risk_level: 'critical',
      frameworks: [
        {
          framework: 'PCI-DSS',
          status: 'violation_detected',
          findings: ['Admin access outside window'],
          violations: ['Req 7.2'],
        },
      ],
      regulatory_deadlines: [{ framework: 'GDPR', obligation: 'Notify the authority', due_at: '2026-12-06T09:00:00Z' }],
    },
    outside_business_hours: false,
    status: 'scheduled',
    invite,
    invite_ics: '',
    notification_channels: ['email', 'slack', 'chainsync'],
    trace_id: null,
  };
  const meeting = { ...base, ...overrides, meeting_id: meetingId, invite };
  return { ...meeting, invite_ics: overrides.invite_ics ?? buildIcs(meeting) };
}

export function withChannels(meeting: MeetingNotice, channels: NotificationChannel[]): MeetingNotice {
  return { ...meeting, notification_channels: channels };
}

export function meetingEvent<T extends MeetingTopic>(topic: T, data: MeetingNotice): ConveneEvent<T> {
  return {
    id: randomUUID(),
    topic,
    type: `com.convene.${topic}.v1`,
    source: '/convene/scheduling',
    time: new Date().toISOString(),
    subject: data.alert_id,
    traceparent: null,
    tracestate: null,
    data,
  } as ConveneEvent<T>;
}

function buildIcs(meeting: MeetingSnapshotV1): string {
  const stamp = (iso: string): string => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');
  const cancelled = meeting.invite.method === 'CANCEL';
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Convene//Notification tests//EN',
    `METHOD:${meeting.invite.method}`,
    'BEGIN:VEVENT',
    `UID:${meeting.invite.uid}`,
    `SEQUENCE:${meeting.invite.sequence}`,
    'DTSTAMP:20261203T090000Z',
    `DTSTART:${stamp(meeting.start)}`,
    `DTEND:${stamp(meeting.end)}`,
    `SUMMARY:${meeting.title}`,
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'ORGANIZER;CN=Convene:mailto:convene@localhost',
    ...meeting.attendees.map((a) => `ATTENDEE;CN=${a.role};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${a.email}`),
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
