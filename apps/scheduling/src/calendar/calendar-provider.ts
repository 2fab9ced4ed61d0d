import type { CalendarProviderName, MeetingAttendee } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import type { BusyInterval } from '../slots/slot-search';

/** What a calendar needs to hold one version of a meeting. */
export interface CalendarBooking {
  meetingId: string;
  title: string;
  description: string;
  start: Date;
  end: Date;
  durationMinutes: number;
  attendees: MeetingAttendee[];
  /** The alert that opened the meeting. */
  alertReference: string;
  organizer: { name: string; email: string };
  /** Stable across redeliveries of the same event, so a retried call never books twice. */
  idempotencyKey: string;
}

/** Where a meeting lives: which provider holds it, under which reference, and its links. */
export interface CalendarReceipt {
  provider: CalendarProviderName;
  providerRef: string | null;
  url: string;
  conferencingUrl: string | null;
}

/**
 * The calendar port. Every method runs inside the handler's transaction so the built-in calendar's
 * busy blocks commit with the meeting; remote calls are idempotent so a rolled-back attempt can be retried.
 */
export abstract class CalendarProvider {
  /**
   * Busy times of these people overlapping [from, to), ignoring the blocks of `exceptMeetingId`;
   * one person's overlapping or touching blocks may come merged into one interval.
   */
  abstract busy(
    tx: EntityManager,
    emails: string[],
    from: Date,
    to: Date,
    exceptMeetingId?: string,
  ): Promise<BusyInterval[]>;

  abstract book(tx: EntityManager, booking: CalendarBooking): Promise<CalendarReceipt>;

  /** Applies a new time, duration or attendee list to a meeting this or the fallback provider booked. */
  abstract reschedule(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<CalendarReceipt>;

  abstract cancel(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<void>;
}
