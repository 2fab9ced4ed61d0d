import type { UrgencyLevel } from '#libs/contracts';
import { histogram } from '#libs/telemetry';

const MINUTE = 60;
// From seconds (the pipeline without a busy calendar) to the 48 h window of LOW alerts.
const TIME_TO_MEETING_BUCKETS = [
  1,
  5,
  15,
  30,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  60 * MINUTE,
  4 * 60 * MINUTE,
  24 * 60 * MINUTE,
  48 * 60 * MINUTE,
];

function timeToMeeting() {
  return histogram({
    name: 'convene_time_to_meeting_seconds',
    help: 'From the webhook being accepted (received_at) to the meeting being booked, by urgency level.',
    labelNames: ['urgency'] as const,
    buckets: TIME_TO_MEETING_BUCKETS,
  });
}

function meetingLeadTime() {
  return histogram({
    name: 'convene_meeting_start_delay_seconds',
    help: 'From the webhook being accepted to the booked meeting starting, by urgency level (the response window SLO).',
    labelNames: ['urgency'] as const,
    buckets: TIME_TO_MEETING_BUCKETS,
  });
}

/** Records a booking of an alert accepted at `receivedAt` whose meeting starts at `startsAt`. */
export function recordMeetingBooked(urgency: UrgencyLevel, receivedAt: Date, bookedAt: Date, startsAt: Date): void {
  timeToMeeting().observe({ urgency }, Math.max(0, bookedAt.getTime() - receivedAt.getTime()) / 1000);
  meetingLeadTime().observe({ urgency }, Math.max(0, startsAt.getTime() - receivedAt.getTime()) / 1000);
}
