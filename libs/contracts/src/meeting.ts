import type { Attendee } from './analysis';

export const MEETING_STATUSES = ['scheduled', 'completed', 'cancelled'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export type CalendarProviderName = 'builtin' | 'slotify';

export interface MeetingAttendee extends Attendee {
  /** True when the chosen slot overlaps one of this person's busy blocks. */
  has_conflict: boolean;
}

export interface InviteRef {
  uid: string;
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
}

export type NotificationChannel = 'email' | 'slack' | 'chainsync';
