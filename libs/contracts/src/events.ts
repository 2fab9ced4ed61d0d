import type { Alert, AlertChange } from './alert';
import type {
  AgentRun,
  Attendee,
  ComplianceAssessment,
  MeetingContext,
  RootCause,
  Urgency,
  UrgencyLevel,
} from './analysis';
import type { CalendarProviderName, InviteRef, MeetingAttendee, MeetingStatus, NotificationChannel } from './meeting';

/** A webhook delivery the gateway accepted and persisted. */
export interface AlertReceivedV1 {
  alert: Alert;
  change: AlertChange;
  /** Increases with every accepted change to this alert; consumers ignore anything older. */
  revision: number;
  received_at: string;
}

/** Everything scheduling, notification and audit need to know about an alert. */
export interface AlertAnalyzedV1 {
  alert: Alert;
  change: AlertChange;
  revision: number;
  received_at: string;
  analyzed_at: string;
  /** False when the alert type is not in the configuration and took the default route. */
  known_type: boolean;
  urgency: Urgency;
  /** False when the configuration says this urgency level only notifies. */
  books_meeting: boolean;
  notification_channels: NotificationChannel[];
  attendees: Attendee[];
  root_cause: RootCause;
  compliance: ComplianceAssessment;
  meeting_context: MeetingContext;
  agents: AgentRun[];
}

/** The meeting as it stands after a change. Convene's public contract for other systems. */
export interface MeetingSnapshotV1 {
  meeting_id: string;
  /** The alert that opened the meeting. */
  alert_id: string;
  /** Every alert the meeting covers, the opening one first. */
  alert_ids: string[];
  title: string;
  start: string;
  end: string;
  duration_minutes: number;
  timezone: string;
  url: string;
  provider: CalendarProviderName;
  attendees: MeetingAttendee[];
  urgency: { level: UrgencyLevel; score: number };
  why_scheduled: string;
  agenda: string[];
  pre_meeting_summary: string;
  root_cause: string;
  compliance_status: ComplianceAssessment['overall_status'];
  compliance: ComplianceAssessment;
  outside_business_hours: boolean;
  status: MeetingStatus;
  invite: InviteRef;
  /** The RFC 5545 calendar object for this version of the meeting. */
  invite_ics: string;
  notification_channels: NotificationChannel[];
  trace_id: string | null;
}

export type MeetingScheduledV1 = MeetingSnapshotV1;
export interface MeetingUpdatedV1 extends MeetingSnapshotV1 {
  /** What moved: `escalated`, `correlated` (another alert joined) … */
  reason: string;
}
export interface MeetingCancelledV1 extends MeetingSnapshotV1 {
  reason: string;
}

export interface NotificationOutcomeV1 {
  meeting_id: string;
  alert_id: string;
  meeting_sequence: number;
  channel: NotificationChannel;
  recipient: string;
  attempts: number;
  provider_message_id: string | null;
  /** Short reason for a failure; never a secret or a message body. */
  error: string | null;
  at: string;
}

/**
 * The event catalogue: each event type, the topic it travels on, its schema version and its
 * payload. Types follow CloudEvents (`<reverse domain>.<topic>.v<version>`).
 */
export interface EventPayloads {
  'alert.received': AlertReceivedV1;
  'alert.analyzed': AlertAnalyzedV1;
  'meeting.scheduled': MeetingScheduledV1;
  'meeting.updated': MeetingUpdatedV1;
  'meeting.cancelled': MeetingCancelledV1;
  'notification.delivered': NotificationOutcomeV1;
  'notification.failed': NotificationOutcomeV1;
}

export type Topic = keyof EventPayloads;

export interface CatalogueEntry {
  topic: Topic;
  /** CloudEvents `type`, carrying the schema version. */
  type: string;
  version: number;
  /** The service that produces it; CloudEvents `source` is `/convene/<producer>`. */
  producer: 'gateway' | 'analysis' | 'scheduling' | 'notification';
  description: string;
}

export const EVENT_CATALOGUE: { readonly [T in Topic]: CatalogueEntry & { topic: T } } = {
  'alert.received': {
    topic: 'alert.received',
    type: 'com.convene.alert.received.v1',
    version: 1,
    producer: 'gateway',
    description: 'A signed webhook delivery was accepted and persisted: a new alert, an escalation or a resolution.',
  },
  'alert.analyzed': {
    topic: 'alert.analyzed',
    type: 'com.convene.alert.analyzed.v1',
    version: 1,
    producer: 'analysis',
    description: 'Urgency, attendees, root cause, compliance assessment and meeting context were decided.',
  },
  'meeting.scheduled': {
    topic: 'meeting.scheduled',
    type: 'com.convene.meeting.scheduled.v1',
    version: 1,
    producer: 'scheduling',
    description: 'A meeting was booked inside the response window.',
  },
  'meeting.updated': {
    topic: 'meeting.updated',
    type: 'com.convene.meeting.updated.v1',
    version: 1,
    producer: 'scheduling',
    description: 'A booked meeting moved, grew or gained alerts; the invite sequence was raised.',
  },
  'meeting.cancelled': {
    topic: 'meeting.cancelled',
    type: 'com.convene.meeting.cancelled.v1',
    version: 1,
    producer: 'scheduling',
    description: 'A meeting was cancelled because its alert was resolved before it started.',
  },
  'notification.delivered': {
    topic: 'notification.delivered',
    type: 'com.convene.notification.delivered.v1',
    version: 1,
    producer: 'notification',
    description: 'One message of one meeting version reached one recipient over one channel.',
  },
  'notification.failed': {
    topic: 'notification.failed',
    type: 'com.convene.notification.failed.v1',
    version: 1,
    producer: 'notification',
    description: 'One message could not be delivered within its retry budget, or failed permanently.',
  },
};

export const TOPICS = Object.keys(EVENT_CATALOGUE) as Topic[];

/** The dead-letter topic of a consumed topic. */
export function deadLetterTopic(topic: Topic): string {
  return `${topic}.dlq`;
}
