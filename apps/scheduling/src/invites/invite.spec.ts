import type { MeetingAttendee } from '#libs/contracts';
import ical, { type Attendee as ParsedAttendee, type VEvent } from 'node-ical';
import { type InviteContent, inviteUid, renderInvite } from './invite';

const attendees: MeetingAttendee[] = [
  {
    role: 'Security Lead',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    invited_by: 'alert_type',
    has_conflict: false,
  },
  {
    role: 'Management',
    name: 'Grace Hopper',
    email: 'grace@example.com',
    invited_by: 'high_severity',
    has_conflict: true,
  },
];

function content(overrides: Partial<InviteContent> = {}): InviteContent {
  return {
    uid: inviteUid('mtg_abc', 'convene@example.com'),
    sequence: 0,
    method: 'REQUEST',
    stamp: new Date('2026-03-09T12:00:00Z'),
    title: 'URGENT: Security Incident Response',
    start: new Date('2026-03-09T13:00:00Z'),
    end: new Date('2026-03-09T14:00:00Z'),
    url: 'https://convene.example.com/meetings/mtg_abc',
    location: 'https://meet.example.com/mtg_abc',
    organizer: { name: 'Convene', email: 'convene@example.com' },
    attendees,
    why_scheduled: 'Unauthorized access attempts on production.',
    agenda: ['Contain the breach', 'Decide on disclosure'],
    pre_meeting_summary: 'Three hosts affected.',
    reminderMinutes: 10,
    ...overrides,
  };
}

function parse(ics: string): { method: string | undefined; event: VEvent } {
  const parsed = ical.sync.parseICS(ics);
  const events = Object.values(parsed).filter((c): c is VEvent => c?.type === 'VEVENT');
  expect(events).toHaveLength(1);
  return { method: parsed.vcalendar?.method, event: events[0] };
}

function text(value: VEvent['summary'] | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.val;
}

function attendeeList(event: VEvent): ParsedAttendee[] {
  const value = event.attendee;
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

describe('renderInvite', () => {
  it('produces a REQUEST with stable UID, sequence, UTC times, organizer and required RSVP attendees', () => {
    const { method, event } = parse(renderInvite(content({ sequence: 2 })));

    expect(method).toBe('REQUEST');
    expect(event.uid).toBe('mtg_abc@example.com');
    expect(Number(event.sequence)).toBe(2);
    expect(event.start.toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect(event.end?.toISOString()).toBe('2026-03-09T14:00:00.000Z');
    expect(JSON.stringify(event.organizer)).toContain('mailto:convene@example.com');
    const parsedAttendees = attendeeList(event);
    expect(parsedAttendees.map((a) => (typeof a === 'string' ? a : a.val).toLowerCase())).toEqual([
      'mailto:ada@example.com',
      'mailto:grace@example.com',
    ]);
    for (const attendee of parsedAttendees) {
      expect(typeof attendee === 'string' ? {} : attendee.params).toMatchObject({
        ROLE: 'REQ-PARTICIPANT',
        RSVP: true,
      });
    }
  });

  it('carries why-scheduled, the agenda, the meeting URL and a reminder', () => {
    const { event } = parse(renderInvite(content()));

    expect(text(event.description)).toContain('Why this meeting: Unauthorized access attempts on production.');
    expect(text(event.description)).toContain('1. Contain the breach\n2. Decide on disclosure');
    expect(text(event.url as VEvent['summary'])).toBe('https://convene.example.com/meetings/mtg_abc');
    expect(text(event.location)).toBe('https://meet.example.com/mtg_abc');
    expect(event.alarms).toHaveLength(1);
    expect(event.alarms?.[0].action).toBe('DISPLAY');
    expect(String(event.alarms?.[0].trigger)).toBe('-PT10M');
  });

  it('produces a CANCEL with the same UID, a raised sequence and a cancelled status', () => {
    const { method, event } = parse(renderInvite(content({ method: 'CANCEL', sequence: 3 })));

    expect(method).toBe('CANCEL');
    expect(event.uid).toBe('mtg_abc@example.com');
    expect(Number(event.sequence)).toBe(3);
    expect(event.status).toBe('CANCELLED');
    expect(event.alarms ?? []).toHaveLength(0);
  });
});
