import type { MeetingAttendee, MeetingSnapshotV1, MeetingStatus, UrgencyLevel } from '#libs/contracts';
import { earliest, isNewerMeetingVersion } from './alert-view.projection';

/** One row of `meetings_view`: the latest version of a meeting, in the seed's field names. */
export interface MeetingView {
  meeting_id: string;
  alert_id: string;
  alert_ids: string[];
  meeting_title: string;
  scheduled_time: Date;
  end_time: Date;
  duration_minutes: number;
  timezone: string;
  meeting_url: string;
  provider: string;
  attendees: MeetingAttendee[];
  urgency_level: UrgencyLevel;
  urgency_score: number;
  why_scheduled: string;
  discussion_points: string[];
  pre_meeting_summary: string;
  root_cause: string;
  compliance_status: string;
  outside_business_hours: boolean;
  status: MeetingStatus;
  change_reason: string | null;
  invite_uid: string;
  invite_ics: string;
  sequence: number;
  trace_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const MEETING_VIEW_JSON_COLUMNS = new Set<keyof MeetingView>(['alert_ids', 'attendees', 'discussion_points']);

/**
 * The view after a meeting event: the snapshot when it is newer than what the view holds,
 * otherwise the current row (with the earliest sighting kept as its creation time).
 */
export function projectMeeting(
  current: MeetingView | null,
  snapshot: MeetingSnapshotV1,
  change: { reason: string | null; trace_id: string | null; seen_at: Date; recorded_at: Date },
): MeetingView {
  const created_at = current ? earliest(current.created_at, change.seen_at) : change.seen_at;
  if (current && !isNewerMeetingVersion(current, snapshot)) return { ...current, created_at };

  return {
    meeting_id: snapshot.meeting_id,
    alert_id: snapshot.alert_id,
    alert_ids: snapshot.alert_ids,
    meeting_title: snapshot.title,
    scheduled_time: new Date(snapshot.start),
    end_time: new Date(snapshot.end),
    duration_minutes: snapshot.duration_minutes,
    timezone: snapshot.timezone,
    meeting_url: snapshot.url,
    provider: snapshot.provider,
    attendees: snapshot.attendees,
    urgency_level: snapshot.urgency.level,
    urgency_score: snapshot.urgency.score,
    why_scheduled: snapshot.why_scheduled,
    discussion_points: snapshot.agenda,
    pre_meeting_summary: snapshot.pre_meeting_summary,
    root_cause: snapshot.root_cause,
    compliance_status: snapshot.compliance_status,
    outside_business_hours: snapshot.outside_business_hours,
    status: snapshot.status,
    change_reason: change.reason,
    invite_uid: snapshot.invite.uid,
    invite_ics: snapshot.invite_ics,
    sequence: snapshot.invite.sequence,
    trace_id: snapshot.trace_id ?? change.trace_id,
    created_at,
    updated_at: change.recorded_at,
  };
}
