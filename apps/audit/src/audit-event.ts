import type { Topic } from '#libs/contracts';
import type { ConveneEvent } from '#libs/messaging';

/** A ConveneEvent as a union discriminated by topic, so a switch on `topic` narrows `data`. */
export type AuditedEvent = { [T in Topic]: ConveneEvent<T> }[Topic];

/** An event as the log holds it: what projections need besides the event itself. */
export interface RecordedEvent {
  seq: number;
  event: AuditedEvent;
  trace_id: string | null;
  received_at: Date;
}

export function asAuditedEvent(event: ConveneEvent): AuditedEvent {
  return event as AuditedEvent;
}

/** The meeting an event is about, for meeting and notification events. */
export function meetingIdOf(event: AuditedEvent): string | null {
  switch (event.topic) {
    case 'alert.received':
    case 'alert.analyzed':
      return null;
    case 'meeting.scheduled':
    case 'meeting.updated':
    case 'meeting.cancelled':
    case 'notification.delivered':
    case 'notification.failed':
      return event.data.meeting_id;
  }
}

/** The alert an event is about: its subject, or the payload's alert id when a producer left the subject empty. */
export function alertIdOf(event: AuditedEvent): string {
  if (event.subject) return event.subject;
  switch (event.topic) {
    case 'alert.received':
    case 'alert.analyzed':
      return event.data.alert.alert_id;
    case 'meeting.scheduled':
    case 'meeting.updated':
    case 'meeting.cancelled':
    case 'notification.delivered':
    case 'notification.failed':
      return event.data.alert_id;
  }
}

/** The producing service named by a CloudEvents source such as `/convene/gateway`. */
export function serviceOf(source: string): string {
  return source.replace(/^\/convene\//, '');
}

/** The event's own time when it parses, else `fallback`. */
export function eventTimeOf(event: AuditedEvent, fallback: Date): Date {
  const time = new Date(event.time);
  return Number.isNaN(time.getTime()) ? fallback : time;
}
