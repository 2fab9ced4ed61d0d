import type { Topic } from '../events';
import {
  agentRunSchema,
  alertChangeSchema,
  alertSchema,
  attendeeSchema,
  channelListSchema,
  channelSchema,
  complianceSchema,
  complianceStatusSchema,
  count,
  instant,
  inviteSchema,
  type JsonSchema,
  meetingAttendeeSchema,
  meetingContextSchema,
  meetingStatusSchema,
  nonEmpty,
  nullableText,
  oneOf,
  record,
  rootCauseSchema,
  text,
  textList,
  urgencySchema,
} from './common.schema';
import { URGENCY_LEVELS } from '../analysis';

const alertReceivedV1 = record({
  alert: alertSchema,
  change: alertChangeSchema,
  revision: count,
  received_at: instant,
});

const alertAnalyzedV1 = record({
  alert: alertSchema,
  change: alertChangeSchema,
  revision: count,
  received_at: instant,
  analyzed_at: instant,
  known_type: { type: 'boolean' },
  urgency: urgencySchema,
  books_meeting: { type: 'boolean' },
  notification_channels: channelListSchema,
  attendees: { type: 'array', items: attendeeSchema },
  root_cause: rootCauseSchema,
  compliance: complianceSchema,
  meeting_context: meetingContextSchema,
  agents: { type: 'array', items: agentRunSchema },
});

const meetingSnapshotProperties: Record<string, JsonSchema> = {
  meeting_id: nonEmpty,
  alert_id: nonEmpty,
  alert_ids: { type: 'array', items: nonEmpty, minItems: 1 },
  title: text,
  start: instant,
  end: instant,
  duration_minutes: count,
  timezone: text,
  url: text,
  provider: oneOf(['builtin', 'slotify']),
  attendees: { type: 'array', items: meetingAttendeeSchema },
  urgency: record({ level: oneOf(URGENCY_LEVELS), score: { type: 'number', minimum: 0 } }),
  why_scheduled: text,
  agenda: textList,
  pre_meeting_summary: text,
  root_cause: text,
  compliance_status: complianceStatusSchema,
  compliance: complianceSchema,
  outside_business_hours: { type: 'boolean' },
  status: meetingStatusSchema,
  invite: inviteSchema,
  invite_ics: text,
  notification_channels: channelListSchema,
  trace_id: nullableText,
};

const meetingScheduledV1 = record(meetingSnapshotProperties);
const meetingChangedV1 = record({ ...meetingSnapshotProperties, reason: text });

const notificationOutcomeV1 = record({
  meeting_id: nonEmpty,
  alert_id: nonEmpty,
  meeting_sequence: count,
  channel: channelSchema,
  recipient: text,
  attempts: count,
  provider_message_id: nullableText,
  error: nullableText,
  at: instant,
});

/**
 * The JSON Schema of every payload in the catalogue, by topic. Producers and consumers validate
 * against these; docs/asyncapi.yaml embeds them, and a unit test keeps the two identical.
 */
export const PAYLOAD_SCHEMAS: { readonly [T in Topic]: JsonSchema } = {
  'alert.received': alertReceivedV1,
  'alert.analyzed': alertAnalyzedV1,
  'meeting.scheduled': meetingScheduledV1,
  'meeting.updated': meetingChangedV1,
  'meeting.cancelled': meetingChangedV1,
  'notification.delivered': notificationOutcomeV1,
  'notification.failed': notificationOutcomeV1,
};
