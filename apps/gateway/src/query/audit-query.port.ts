/**
 * An alert as the audit service's read model shows it, in the seed's field names. Fields the
 * pipeline has not filled yet are null. The gateway passes any further fields through unchanged.
 */
export interface AlertView {
  alert_id: string;
  alert_type: string | null;
  severity: string | null;
  description: string | null;
  affected_systems: string[];
  status: string | null;
  root_cause: string | null;
  recommendations: string[];
  compliance_status: string | null;
  compliance_violations: unknown[];
  meeting_created: boolean;
  meeting_id: string | null;
  urgency_level: string | null;
  urgency_score: number | null;
  recommended_response_time: string | null;
  detected_at: string | null;
  processed_at: string | null;
  created_at: string;
  trace_id: string | null;
}

/** One audited event in an alert's life, oldest first. */
export interface TimelineEntry {
  seq: number;
  event_id: string;
  topic: string;
  type: string;
  /** The service that produced the event. */
  service: string;
  time: string;
  received_at: string;
  trace_id: string | null;
  meeting_id: string | null;
}

/** Which engine wrote one AI agent's part of the analysis. */
export interface AnalysisAgentRun {
  agent: string;
  source: string;
  model: string | null;
  fallback_reason: string | null;
}

export interface AlertDetail extends AlertView {
  timeline: TimelineEntry[];
  /** Absent from an audit service that predates it. */
  analysis_agents?: AnalysisAgentRun[];
}

/** Why an attendee is on the list: the authorities rule that invited them. */
export interface MeetingAttendeeView {
  role: string;
  name: string;
  email: string;
  invited_by?: string;
}

export interface MeetingView {
  meeting_id: string;
  alert_id: string;
  meeting_title: string;
  scheduled_time: string;
  duration_minutes: number;
  meeting_url: string;
  attendees: MeetingAttendeeView[];
  urgency_level: string;
  urgency_score: number;
  why_scheduled: string;
  discussion_points: string[];
  pre_meeting_summary: string;
  status: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass it back to get the next page. Null on the last page. */
  next_cursor: string | null;
}

/** Of the alerts received in the window, how many got a meeting. */
export interface MeetingRateReport {
  window_days: number;
  total_alerts: number;
  with_meetings: number;
  /** Percentage, 0–100 with two decimals. */
  meeting_rate: number;
}

export interface ViolationsByFrameworkReport {
  window_days: number;
  items: { framework: string; violations: number; alerts: number }[];
}

/** Where the audit log's hash chain does not hold. */
export interface BrokenLink {
  seq: number;
  event_id: string | null;
  problem: string;
  expected: string;
  actual: string;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  last_seq: number;
  first_broken: BrokenLink | null;
  broken: BrokenLink[];
}

/**
 * Query parameters as the caller sent them (a repeated one as an array). The audit service validates
 * them, so the gateway keeps no second copy of its rules.
 */
export type QueryParameters = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What the gateway asks the audit service's read models. The gateway owns no read model: in
 * distributed mode this goes over HTTP, in embedded mode the host plugs an in-process version.
 * Lookups answer null for an unknown id; parameters the audit service rejects are a `QUERY.INVALID`
 * naming each one; an unreachable audit service is `AUDIT.UNAVAILABLE`.
 */
export abstract class AuditQueryPort {
  /** `limit`, `cursor`, `severity`, `alert_type`, `status`, `from`, `to`. */
  abstract recentAlerts(query: QueryParameters): Promise<Page<AlertView>>;
  /** `limit`, `cursor`, `status`, `urgency`, `from`, `to`. */
  abstract recentMeetings(query: QueryParameters): Promise<Page<MeetingView>>;
  abstract alert(alertId: string): Promise<AlertDetail | null>;
  abstract meeting(meetingId: string): Promise<MeetingView | null>;
  /** The meeting's current RFC 5545 calendar object. */
  abstract invite(meetingId: string): Promise<string | null>;
  /** Firing critical and high alerts without a meeting; `limit`. */
  abstract highPriorityWithoutMeeting(query: QueryParameters): Promise<{ items: AlertView[] }>;
  /** Scheduled meetings still ahead, most urgent first; `limit`. */
  abstract upcomingMeetings(query: QueryParameters): Promise<{ items: MeetingView[] }>;
  /** `days`. */
  abstract meetingRate(query: QueryParameters): Promise<MeetingRateReport>;
  /** `days`. */
  abstract violationsByFramework(query: QueryParameters): Promise<ViolationsByFrameworkReport>;
  /** Recomputes the audit log's hash chain from the first entry. */
  abstract verifyChain(): Promise<ChainVerification>;
}
