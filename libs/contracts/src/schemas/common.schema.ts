import { SEVERITIES, ALERT_CHANGES, ALERT_STATUSES } from '../alert';
import { URGENCY_LEVELS } from '../analysis';
import { MEETING_STATUSES } from '../meeting';

/** A JSON Schema (draft 2020-12 subset that AsyncAPI's schema format also accepts). */
export type JsonSchema = { [keyword: string]: unknown };

export const text: JsonSchema = { type: 'string' };
export const nonEmpty: JsonSchema = { type: 'string', minLength: 1 };
export const instant: JsonSchema = { type: 'string', format: 'date-time' };
export const nullableText: JsonSchema = { type: ['string', 'null'] };
export const count: JsonSchema = { type: 'integer', minimum: 0 };
export const textList: JsonSchema = { type: 'array', items: text };

export function oneOf(values: readonly string[]): JsonSchema {
  return { type: 'string', enum: [...values] };
}

/** An object whose listed properties are all required; extra properties are tolerated (tolerant reader). */
export function record(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
  };
}

const COMPLIANCE_STATUSES = ['compliant', 'at_risk', 'violation_detected', 'not_assessed'];
const CHANNELS = ['email', 'slack', 'chainsync'];

export const alertSchema = record({
  alert_id: nonEmpty,
  alert_type: nonEmpty,
  severity: oneOf(SEVERITIES),
  description: text,
  affected_systems: textList,
  detected_at: instant,
  context: { type: 'object' },
  compliance_frameworks: textList,
  status: oneOf(ALERT_STATUSES),
});

export const alertChangeSchema = oneOf(ALERT_CHANGES);
export const channelListSchema: JsonSchema = { type: 'array', items: oneOf(CHANNELS) };
export const channelSchema = oneOf(CHANNELS);

export const urgencySchema = record({
  level: oneOf(URGENCY_LEVELS),
  score: { type: 'number', minimum: 0 },
  response_window_minutes: count,
  recommended_response_time: text,
  duration_minutes: count,
});

const attendeeProperties: Record<string, JsonSchema> = {
  role: text,
  name: text,
  email: text,
  invited_by: oneOf(['alert_type', 'default_route', 'high_severity', 'executive', 'customer_impact']),
};

export const attendeeSchema = record(attendeeProperties);
export const meetingAttendeeSchema = record({ ...attendeeProperties, has_conflict: { type: 'boolean' } });

export const agentRunSchema = record({
  agent: oneOf(['root_cause', 'compliance', 'meeting_context']),
  source: oneOf(['llm', 'template']),
  model: nullableText,
  input_tokens: count,
  output_tokens: count,
  latency_ms: { type: 'number', minimum: 0 },
  fallback_reason: nullableText,
});

export const rootCauseSchema = record({ summary: text, five_whys: textList, recommendations: textList });

export const complianceStatusSchema = oneOf(COMPLIANCE_STATUSES);

export const complianceSchema = record({
  overall_status: complianceStatusSchema,
  risk_level: oneOf(['low', 'medium', 'high', 'critical']),
  frameworks: {
    type: 'array',
    items: record({ framework: text, status: complianceStatusSchema, findings: textList, violations: textList }),
  },
  regulatory_deadlines: {
    type: 'array',
    items: record({ framework: text, obligation: text, due_at: instant }),
  },
});

export const meetingContextSchema = record({
  title: text,
  why_scheduled: text,
  discussion_points: textList,
  pre_meeting_summary: text,
});

export const meetingStatusSchema = oneOf(MEETING_STATUSES);

export const inviteSchema = record({ uid: nonEmpty, sequence: count, method: oneOf(['REQUEST', 'CANCEL']) });
