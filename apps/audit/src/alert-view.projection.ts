import type {
  AlertAnalyzedV1,
  AlertReceivedV1,
  AlertStatus,
  ComplianceStatus,
  MeetingSnapshotV1,
  MeetingStatus,
  Severity,
  UrgencyLevel,
} from '#libs/contracts';

export interface ComplianceViolation {
  framework: string;
  violation: string;
}

/**
 * One row of `alerts_view`. Three producers feed it and may arrive in any order, so each group of
 * columns carries its own guard: `alert_revision` for the alert's facts, `analysis_revision` for
 * the analysis, `meeting_sequence` for the meeting. A row can exist before its alert.received
 * arrived; its fact columns are null until then.
 */
export interface AlertView {
  alert_id: string;
  alert_type: string | null;
  severity: Severity | null;
  description: string | null;
  affected_systems: string[];
  compliance_frameworks: string[];
  status: AlertStatus | null;
  detected_at: Date | null;
  created_at: Date;
  alert_revision: number;
  trace_id: string | null;
  root_cause: string | null;
  recommendations: string[];
  compliance_status: ComplianceStatus | null;
  compliance_violations: ComplianceViolation[];
  urgency_level: UrgencyLevel | null;
  urgency_score: number | null;
  recommended_response_time: string | null;
  books_meeting: boolean | null;
  processed_at: Date | null;
  analysis_revision: number;
  meeting_created: boolean;
  meeting_id: string | null;
  meeting_status: MeetingStatus | null;
  meeting_sequence: number;
  updated_at: Date;
}

export const ALERT_VIEW_JSON_COLUMNS = new Set<keyof AlertView>([
  'affected_systems',
  'compliance_frameworks',
  'recommendations',
  'compliance_violations',
]);

/** The row for an alert the view has not seen yet. */
export function emptyAlertView(alertId: string, firstSeen: Date): AlertView {
  return {
    alert_id: alertId,
    alert_type: null,
    severity: null,
    description: null,
    affected_systems: [],
    compliance_frameworks: [],
    status: null,
    detected_at: null,
    created_at: firstSeen,
    alert_revision: 0,
    trace_id: null,
    root_cause: null,
    recommendations: [],
    compliance_status: null,
    compliance_violations: [],
    urgency_level: null,
    urgency_score: null,
    recommended_response_time: null,
    books_meeting: null,
    processed_at: null,
    analysis_revision: 0,
    meeting_created: false,
    meeting_id: null,
    meeting_status: null,
    meeting_sequence: -1,
    updated_at: firstSeen,
  };
}

/** The alert's own facts, from alert.received or alert.analyzed, unless the view holds a newer revision. */
export function withAlertFacts(
  view: AlertView,
  payload: AlertReceivedV1 | AlertAnalyzedV1,
  traceId: string | null,
): AlertView {
  const firstSeen = earliest(view.created_at, new Date(payload.received_at));
  if (payload.revision <= view.alert_revision) return { ...view, created_at: firstSeen };

  const { alert } = payload;
  return {
    ...view,
    alert_type: alert.alert_type,
    severity: alert.severity,
    description: alert.description,
    affected_systems: alert.affected_systems,
    compliance_frameworks: alert.compliance_frameworks,
    status: alert.status,
    detected_at: new Date(alert.detected_at),
    created_at: firstSeen,
    alert_revision: payload.revision,
    trace_id: traceId ?? view.trace_id,
  };
}

/** Urgency, root cause and compliance from alert.analyzed, unless a newer analysis is already in. */
export function withAnalysis(view: AlertView, payload: AlertAnalyzedV1): AlertView {
  if (payload.revision <= view.analysis_revision) return view;

  return {
    ...view,
    root_cause: payload.root_cause.summary,
    recommendations: payload.root_cause.recommendations,
    compliance_status: payload.compliance.overall_status,
    compliance_violations: payload.compliance.frameworks.flatMap((assessment) =>
      assessment.violations.map((violation) => ({ framework: assessment.framework, violation })),
    ),
    urgency_level: payload.urgency.level,
    urgency_score: payload.urgency.score,
    recommended_response_time: payload.urgency.recommended_response_time,
    books_meeting: payload.books_meeting,
    processed_at: new Date(payload.analyzed_at),
    analysis_revision: payload.revision,
  };
}

/** The meeting that covers the alert, unless the view already holds a later version of it. */
export function withMeeting(view: AlertView, snapshot: MeetingSnapshotV1, firstSeen: Date): AlertView {
  const current =
    view.meeting_id === snapshot.meeting_id ? { sequence: view.meeting_sequence, status: view.meeting_status } : null;
  const created_at = earliest(view.created_at, firstSeen);
  if (!isNewerMeetingVersion(current, snapshot)) return { ...view, created_at };

  return {
    ...view,
    created_at,
    meeting_created: true,
    meeting_id: snapshot.meeting_id,
    meeting_status: snapshot.status,
    meeting_sequence: snapshot.invite.sequence,
  };
}

/**
 * Whether `incoming` supersedes `current`. The invite sequence orders versions of one meeting; at
 * an equal sequence a cancellation wins, because nothing follows a cancellation.
 */
export function isNewerMeetingVersion(
  current: { sequence: number; status: MeetingStatus | null } | null,
  incoming: MeetingSnapshotV1,
): boolean {
  if (current === null) return true;
  if (incoming.invite.sequence !== current.sequence) return incoming.invite.sequence > current.sequence;
  return incoming.status === 'cancelled' && current.status !== 'cancelled';
}

export function earliest(a: Date, b: Date): Date {
  if (Number.isNaN(b.getTime())) return a;
  return b < a ? b : a;
}
