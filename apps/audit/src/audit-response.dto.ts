import type { MeetingAttendee } from '#libs/contracts';
import type { AlertView, ComplianceViolation } from './alert-view.projection';
import type { AnalysisAgentJson, TimelineEntry } from './audit-log.service';
import type { MeetingView } from './meeting-view.projection';

/** An alert in the seed's field names, with where it stands in Convene. */
export interface AlertJson {
  alert_id: string;
  alert_type: string | null;
  severity: string | null;
  description: string | null;
  affected_systems: string[];
  compliance_frameworks: string[];
  status: string | null;
  root_cause: string | null;
  recommendations: string[];
  compliance_status: string | null;
  compliance_violations: ComplianceViolation[];
  meeting_created: boolean;
  meeting_id: string | null;
  meeting_status: string | null;
  urgency_level: string | null;
  urgency_score: number | null;
  recommended_response_time: string | null;
  books_meeting: boolean | null;
  detected_at: string | null;
  processed_at: string | null;
  created_at: string;
  updated_at: string;
  revision: number;
  trace_id: string | null;
}

export interface AlertDetailJson extends AlertJson {
  /** Every audited event about the alert and its meeting, oldest first. */
  timeline: TimelineEntry[];
  /** Which engine (llm or template) wrote each agent's part of the latest analysis. */
  analysis_agents: AnalysisAgentJson[];
}

export interface NotificationJson {
  channel: string;
  recipient: string;
  outcome: string;
  meeting_sequence: number;
  attempts: number;
  provider_message_id: string | null;
  error: string | null;
  at: string;
}

/** A meeting in the seed's field names. */
export interface MeetingJson {
  meeting_id: string;
  alert_id: string;
  alert_ids: string[];
  meeting_title: string;
  scheduled_time: string;
  end_time: string;
  duration_minutes: number;
  timezone: string;
  meeting_url: string;
  provider: string;
  attendees: MeetingAttendee[];
  urgency_level: string;
  urgency_score: number;
  why_scheduled: string;
  discussion_points: string[];
  pre_meeting_summary: string;
  root_cause: string;
  compliance_status: string;
  outside_business_hours: boolean;
  status: string;
  change_reason: string | null;
  sequence: number;
  trace_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface MeetingDetailJson extends MeetingJson {
  /** The latest outcome per channel and recipient. */
  notifications: NotificationJson[];
}

export interface MeetingRateReport {
  window_days: number;
  total_alerts: number;
  with_meetings: number;
  /** Percentage of alerts in the window that got a meeting, 0–100 with two decimals. */
  meeting_rate: number;
}

export interface FrameworkViolations {
  framework: string;
  violations: number;
  alerts: number;
}

export interface ViolationsByFrameworkReport {
  window_days: number;
  items: FrameworkViolations[];
}

export function toAlertJson(view: AlertView): AlertJson {
  return {
    alert_id: view.alert_id,
    alert_type: view.alert_type,
    severity: view.severity,
    description: view.description,
    affected_systems: view.affected_systems,
    compliance_frameworks: view.compliance_frameworks,
    status: view.status,
    root_cause: view.root_cause,
    recommendations: view.recommendations,
    compliance_status: view.compliance_status,
    compliance_violations: view.compliance_violations,
    meeting_created: view.meeting_created,
    meeting_id: view.meeting_id,
    meeting_status: view.meeting_status,
    urgency_level: view.urgency_level,
    urgency_score: view.urgency_score,
    recommended_response_time: view.recommended_response_time,
    books_meeting: view.books_meeting,
    detected_at: view.detected_at?.toISOString() ?? null,
    processed_at: view.processed_at?.toISOString() ?? null,
    created_at: view.created_at.toISOString(),
    updated_at: view.updated_at.toISOString(),
    revision: view.alert_revision,
    trace_id: view.trace_id,
  };
}

export function toMeetingJson(view: MeetingView): MeetingJson {
  return {
    meeting_id: view.meeting_id,
    alert_id: view.alert_id,
    alert_ids: view.alert_ids,
    meeting_title: view.meeting_title,
    scheduled_time: view.scheduled_time.toISOString(),
    end_time: view.end_time.toISOString(),
    duration_minutes: view.duration_minutes,
    timezone: view.timezone,
    meeting_url: view.meeting_url,
    provider: view.provider,
    attendees: view.attendees,
    urgency_level: view.urgency_level,
    urgency_score: view.urgency_score,
    why_scheduled: view.why_scheduled,
    discussion_points: view.discussion_points,
    pre_meeting_summary: view.pre_meeting_summary,
    root_cause: view.root_cause,
    compliance_status: view.compliance_status,
    outside_business_hours: view.outside_business_hours,
    status: view.status,
    change_reason: view.change_reason,
    sequence: view.sequence,
    trace_id: view.trace_id,
    created_at: view.created_at.toISOString(),
    updated_at: view.updated_at.toISOString(),
  };
}
