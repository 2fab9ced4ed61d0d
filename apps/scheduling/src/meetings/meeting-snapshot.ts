import type { MeetingSnapshotV1 } from '#libs/contracts';
import type { InviteMethod } from '../invites/invite';
import type { MeetingEntity } from './meeting.entity';

/** The public view of a meeting version; `traceId` is the trace of the event that caused this version. */
export function toSnapshot(meeting: MeetingEntity, method: InviteMethod, traceId: string | null): MeetingSnapshotV1 {
  return {
    meeting_id: meeting.id,
    alert_id: meeting.alertId,
    alert_ids: meeting.alertIds,
    title: meeting.title,
    start: meeting.startAt.toISOString(),
    end: meeting.endAt.toISOString(),
    duration_minutes: meeting.durationMinutes,
    timezone: meeting.timezone,
    url: meeting.url,
    provider: meeting.provider,
    attendees: meeting.attendees,
    urgency: { level: meeting.urgencyLevel, score: meeting.urgencyScore },
    why_scheduled: meeting.whyScheduled,
    agenda: meeting.agenda,
    pre_meeting_summary: meeting.preMeetingSummary,
    root_cause: meeting.rootCause,
    compliance_status: meeting.compliance.overall_status,
    compliance: meeting.compliance,
    outside_business_hours: meeting.outsideBusinessHours,
    status: meeting.status,
    invite: { uid: meeting.inviteUid, sequence: meeting.sequence, method },
    invite_ics: meeting.inviteIcs,
    notification_channels: meeting.notificationChannels,
    trace_id: traceId,
  };
}

/** The trace id inside a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | null): string | null {
  const match = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return match ? match[1] : null;
}
