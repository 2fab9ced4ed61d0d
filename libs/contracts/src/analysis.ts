export const URGENCY_LEVELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type UrgencyLevel = (typeof URGENCY_LEVELS)[number];

export interface Urgency {
  level: UrgencyLevel;
  /** severity score × type weight, rounded to two decimals. */
  score: number;
  /** How long the organisation has to meet, from the moment the alert was received. */
  response_window_minutes: number;
  /** Human wording of the window, as the seed prints it: "< 1 hour". */
  recommended_response_time: string;
  duration_minutes: number;
}

/** The rule that put an attendee on the invite list, so the meeting can say why each person is there. */
export type InvitationRule = 'alert_type' | 'default_route' | 'high_severity' | 'executive' | 'customer_impact';

export interface Attendee {
  role: string;
  name: string;
  email: string;
  invited_by: InvitationRule;
}

export type AgentName = 'root_cause' | 'compliance' | 'meeting_context';
export type AnalysisSource = 'llm' | 'template';

/** Provenance of one agent's output: which engine wrote it and what it cost. */
export interface AgentRun {
  agent: AgentName;
  source: AnalysisSource;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  /** Why the template was used: no_api_key, timeout, error, refusal, invalid_output. */
  fallback_reason: string | null;
}

export interface RootCause {
  summary: string;
  five_whys: string[];
  recommendations: string[];
}

export type ComplianceStatus = 'compliant' | 'at_risk' | 'violation_detected' | 'not_assessed';
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

export interface RegulatoryDeadline {
  framework: string;
  obligation: string;
  /** ISO 8601 instant by which the obligation must be met. */
  due_at: string;
}

export interface FrameworkAssessment {
  framework: string;
  status: ComplianceStatus;
  findings: string[];
  violations: string[];
}

export interface ComplianceAssessment {
  overall_status: ComplianceStatus;
  risk_level: RiskLevel;
  frameworks: FrameworkAssessment[];
  regulatory_deadlines: RegulatoryDeadline[];
}

export interface MeetingContext {
  title: string;
  why_scheduled: string;
  discussion_points: string[];
  pre_meeting_summary: string;
}
