import type { AgentName, ComplianceStatus, RiskLevel } from '#libs/contracts';

/**
 * Reply schemas sent as `response_format.json_schema` with strict: true, and used again to
 * validate what comes back. Strict mode wants every property required and no extra keys.
 */
const text = { type: 'string', minLength: 1 } as const;
const list = (minItems: number, maxItems: number) => ({ type: 'array', items: text, minItems, maxItems }) as const;

export const COMPLIANCE_STATUSES: readonly ComplianceStatus[] = [
  'compliant',
  'at_risk',
  'violation_detected',
  'not_assessed',
];
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

export const ROOT_CAUSE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'five_whys', 'recommendations'],
  properties: {
    summary: text,
    five_whys: list(5, 5),
    recommendations: list(3, 5),
  },
} as const;

export const COMPLIANCE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['overall_status', 'risk_level', 'frameworks'],
  properties: {
    overall_status: { type: 'string', enum: COMPLIANCE_STATUSES },
    risk_level: { type: 'string', enum: RISK_LEVELS },
    frameworks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['framework', 'status', 'findings', 'violations'],
        properties: {
          framework: text,
          status: { type: 'string', enum: COMPLIANCE_STATUSES },
          findings: list(0, 10),
          violations: list(0, 10),
        },
      },
    },
  },
} as const;

export const MEETING_CONTEXT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'why_scheduled', 'discussion_points', 'pre_meeting_summary'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 150 },
    why_scheduled: text,
    discussion_points: list(5, 7),
    pre_meeting_summary: text,
  },
} as const;

export interface RootCauseReply {
  summary: string;
  five_whys: string[];
  recommendations: string[];
}

export interface ComplianceReply {
  overall_status: ComplianceStatus;
  risk_level: RiskLevel;
  frameworks: { framework: string; status: ComplianceStatus; findings: string[]; violations: string[] }[];
}

export interface MeetingContextReply {
  title: string;
  why_scheduled: string;
  discussion_points: string[];
  pre_meeting_summary: string;
}

/** The `json_schema.name` each agent sends; the test server routes on it. */
export const SCHEMA_NAMES: Readonly<Record<AgentName, string>> = {
  root_cause: 'root_cause_analysis',
  compliance: 'compliance_assessment',
  meeting_context: 'meeting_context',
};
