import type { MeetingAttendee } from '#libs/contracts';
import ical, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';

export type InviteMethod = 'REQUEST' | 'CANCEL';

export interface InviteContent {
  uid: string;
  sequence: number;
  method: InviteMethod;
  /** DTSTAMP: when this version of the invite was produced. */
  stamp: Date;
  title: string;
  start: Date;
  end: Date;
  /** The meeting page. */
  url: string;
  /** Where to join, when the policy has a conferencing link; otherwise the meeting page. */
  location: string;
  organizer: { name: string; email: string };
  attendees: MeetingAttendee[];
  why_scheduled: string;
  agenda: string[];
  pre_meeting_summary: string;
  reminderMinutes: number;
}

/** The invite UID of a meeting: stable across every version, so calendars update the same event. */
export function inviteUid(meetingId: string, organizerEmail: string): string {
  return `${meetingId}@${organizerEmail.split('@')[1] ?? 'convene'}`;
}

/**
 * Renders one version of a meeting as an iTIP message (RFC 5545 object, RFC 5546 method): REQUEST
 * for a new or changed meeting, CANCEL for a cancelled one. Times are UTC instants, which every
 * client reads without needing a VTIMEZONE.
 */
export function renderInvite(content: InviteContent): string {
  const calendar = ical({
    prodId: { company: 'Convene', product: 'scheduling', language: 'EN' },
    method: content.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const event = calendar.createEvent({
    id: content.uid,
    sequence: content.sequence,
    stamp: content.stamp,
    start: content.start,
    end: content.end,
    summary: content.method === 'CANCEL' ? `Cancelled: ${content.title}` : content.title,
    description: describeMeeting(content),
    url: content.url,
    location: content.location,
    status: content.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: content.organizer.name, email: content.organizer.email },
  });
  for (const attendee of content.attendees) {
    event.createAttendee({
      email: attendee.email,
      name: `${attendee.name} (${attendee.role})`,
      role: ICalAttendeeRole.REQ,
      rsvp: content.method === 'REQUEST',
      status: ICalAttendeeStatus.NEEDSACTION,
    });
  }
  if (content.method === 'REQUEST') {
    event.createAlarm({
      type: ICalAlarmType.display,
      triggerBefore: content.reminderMinutes * 60,
      description: `Starts in ${content.reminderMinutes} minutes: ${content.title}`,
    });
  }
  return calendar.toString();
}

function describeMeeting(content: InviteContent): string {
  const agenda = content.agenda.map((point, index) => `${index + 1}. ${point}`).join('\n');
  return [
    `Why this meeting: ${content.why_scheduled}`,
    `Agenda:\n${agenda}`,
    `Before the meeting: ${content.pre_meeting_summary}`,
    `Meeting page: ${content.url}`,
  ].join('\n\n');
}
