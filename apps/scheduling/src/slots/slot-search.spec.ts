import type { UrgencyLevel } from '#libs/contracts';
import fc from 'fast-check';
import { DEFAULT_SCHEDULING_POLICY, type SchedulingPolicy } from '../policy/scheduling-policy';
import type { Clock } from './clock';
import { type BusyInterval, findSlot, SLOT_STEP_MINUTES, type SlotQuery } from './slot-search';

const MINUTE = 60_000;
const STEP = SLOT_STEP_MINUTES * MINUTE;
const WINDOWS: Record<UrgencyLevel, number> = { CRITICAL: 60, HIGH: 240, MEDIUM: 1440, LOW: 2880 };
const ZONES = ['America/New_York', 'Europe/Berlin'] as const;
// Clock changes in 2026: New York 8 Mar and 1 Nov, Berlin 29 Mar and 25 Oct.
const DST_CHANGES = [
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
].map((iso) => Date.parse(iso));

const fixedClock = (ms: number): Clock => ({ now: () => new Date(ms) });

/** Wall-clock reading through Intl, independent of the luxon code under test. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, zone: string): { date: string; weekday: string; minute: number } {
  const format =
    formatters.get(zone) ??
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  formatters.set(zone, format);
  const parts = format.formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    weekday: part('weekday'),
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

function inOfficeHours(start: number, end: number, zone: string): boolean {
  const from = wallClock(start, zone);
  const to = wallClock(end, zone);
  return (
    !['Sat', 'Sun'].includes(from.weekday) && from.date === to.date && from.minute >= 9 * 60 && to.minute <= 17 * 60
  );
}

function busyAt(start: number, end: number, email: string, busy: BusyInterval[]): boolean {
  return busy.some((b) => b.email === email && b.start.getTime() < end && start < b.end.getTime());
}

interface Scenario {
  zone: string;
  now: number;
  policy: SchedulingPolicy;
  query: SlotQuery;
}

function policyFor(zone: string): SchedulingPolicy {
  return { ...DEFAULT_SCHEDULING_POLICY, timezone: zone };
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    anchor: fc.constantFrom(...DST_CHANGES),
    offsetMinutes: fc.integer({ min: -4 * 24 * 60, max: 3 * 24 * 60 }),
    offsetMs: fc.integer({ min: 0, max: MINUTE - 1 }),
    level: fc.constantFrom<UrgencyLevel>('CRITICAL', 'HIGH', 'MEDIUM', 'LOW'),
    noticeMinutes: fc.constantFrom(0, 5, 15, 30, 60, 120),
    ageFraction: fc.double({ min: 0, max: 1.2, noNaN: true }),
    durationMinutes: fc.constantFrom(15, 30, 45, 60),
    attendees: fc.uniqueArray(fc.constantFrom('a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'), { minLength: 1, maxLength: 4 }),
    requiredMask: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    busy: fc.array(
      fc.record({
        email: fc.constantFrom('a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'),
        startMinutes: fc.integer({ min: -120, max: 3 * 24 * 60 }),
        lengthMinutes: fc.integer({ min: 1, max: 8 * 60 }),
      }),
      { maxLength: 10 },
    ),
  })
  .map((r) => {
    const now = r.anchor + r.offsetMinutes * MINUTE + r.offsetMs;
    const window = WINDOWS[r.level];
    const policy = policyFor(r.zone);
    return {
      zone: r.zone,
      now,
      policy: { ...policy, minimumNoticeMinutes: { ...policy.minimumNoticeMinutes, [r.level]: r.noticeMinutes } },
      query: {
        level: r.level,
        receivedAt: new Date(now - Math.floor(r.ageFraction * window) * MINUTE),
        responseWindowMinutes: window,
        durationMinutes: r.durationMinutes,
        attendees: r.attendees.map((email, i) => ({ email, required: r.requiredMask[i] })),
        busy: r.busy.map((b) => ({
          email: b.email,
          start: new Date(now + b.startMinutes * MINUTE),
          end: new Date(now + (b.startMinutes + b.lengthMinutes) * MINUTE),
        })),
      },
    };
  });

/** Every start the search may consider, recomputed from the rules rather than from the code. */
function gridStarts(s: Scenario): number[] {
  const notice = s.policy.minimumNoticeMinutes[s.query.level] * MINUTE;
  const first = notice === 0 ? Math.floor(s.now / STEP) * STEP + STEP : Math.ceil((s.now + notice) / STEP) * STEP;
  const deadline = s.query.receivedAt.getTime() + s.query.responseWindowMinutes * MINUTE;
  const starts: number[] = [];
  for (let start = first; start <= deadline; start += STEP) starts.push(start);
  return starts;
}

describe('findSlot', () => {
  it('never starts before the minimum notice, and always on the 5-minute grid', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const slot = findSlot(s.query, s.policy, fixedClock(s.now));
        const start = slot.start.getTime();
        const notice = s.policy.minimumNoticeMinutes[s.query.level];

        expect(start % STEP).toBe(0);
        expect(start).toBeGreaterThanOrEqual(s.now + notice * MINUTE);
        expect(start).toBeGreaterThan(s.now);
        expect(slot.end.getTime() - start).toBe(s.query.durationMinutes * MINUTE);
      }),
      { numRuns: 300 },
    );
  });

  it('never starts after the response-window deadline unless it is flagged past the deadline', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const slot = findSlot(s.query, s.policy, fixedClock(s.now));
        const deadline = s.query.receivedAt.getTime() + s.query.responseWindowMinutes * MINUTE;

        expect(slot.deadline.getTime()).toBe(deadline);
        if (slot.pastDeadline) {
          expect(gridStarts(s)).toEqual([]);
        } else {
          expect(slot.start.getTime()).toBeLessThanOrEqual(deadline);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays inside business hours across DST changes unless none fit the window or the level overrides them', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const slot = findSlot(s.query, s.policy, fixedClock(s.now));
        const duration = s.query.durationMinutes * MINUTE;
        const fitsHours = (start: number) => inOfficeHours(start, start + duration, s.zone);

        expect(slot.outsideBusinessHours).toBe(!fitsHours(slot.start.getTime()));
        if (slot.outsideBusinessHours && s.query.level !== 'CRITICAL' && !slot.pastDeadline) {
          expect(gridStarts(s).some(fitsHours)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never overlaps a busy block when a slot free for everyone exists, and reports exactly who conflicts', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const slot = findSlot(s.query, s.policy, fixedClock(s.now));
        const duration = s.query.durationMinutes * MINUTE;
        const emails = s.query.attendees.map((a) => a.email);
        const conflictsAt = (start: number) => emails.filter((e) => busyAt(start, start + duration, e, s.query.busy));
        const hoursApply = s.query.level !== 'CRITICAL' && !slot.outsideBusinessHours;
        const comparable = gridStarts(s).filter((t) => !hoursApply || inOfficeHours(t, t + duration, s.zone));

        expect([...slot.conflicts].sort()).toEqual(conflictsAt(slot.start.getTime()).sort());
        if (slot.conflicts.length > 0 && !slot.pastDeadline) {
          expect(comparable.some((t) => conflictsAt(t).length === 0)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('frees the most required attendees when nobody can be freed entirely, and names who conflicts', () => {
    const now = Date.parse('2026-06-10T14:02:00Z');
    const block = (email: string, from: string, to: string): BusyInterval => ({
      email,
      start: new Date(`2026-06-10T${from}:00Z`),
      end: new Date(`2026-06-10T${to}:00Z`),
    });
    const slot = findSlot(
      {
        level: 'CRITICAL',
        receivedAt: new Date(now),
        responseWindowMinutes: 60,
        durationMinutes: 30,
        attendees: [
          { email: 'lead@x.io', required: true },
          { email: 'cfo@x.io', required: false },
        ],
        busy: [block('lead@x.io', '14:00', '14:40'), block('cfo@x.io', '14:40', '16:00')],
      },
      policyFor('America/New_York'),
      fixedClock(now),
    );

    expect(slot.start.toISOString()).toBe('2026-06-10T14:40:00.000Z');
    expect(slot.conflicts).toEqual(['cfo@x.io']);
  });
});

describe('findSlot around daylight-saving changes', () => {
  it('opens Monday at 09:00 EDT (13:00 UTC) after New York springs forward', () => {
    const now = Date.parse('2026-03-08T22:00:00Z');
    const slot = findSlot(
      {
        level: 'HIGH',
        receivedAt: new Date(now),
        responseWindowMinutes: 24 * 60,
        durationMinutes: 45,
        attendees: [{ email: 'a@x.io', required: true }],
        busy: [],
      },
      policyFor('America/New_York'),
      fixedClock(now),
    );

    expect(slot.start.toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect(slot.outsideBusinessHours).toBe(false);
  });

  it('opens Monday at 09:00 CET (08:00 UTC) after Berlin falls back', () => {
    const now = Date.parse('2026-10-25T12:00:00Z');
    const slot = findSlot(
      {
        level: 'MEDIUM',
        receivedAt: new Date(now),
        responseWindowMinutes: 24 * 60,
        durationMinutes: 30,
        attendees: [{ email: 'a@x.io', required: true }],
        busy: [],
      },
      policyFor('Europe/Berlin'),
      fixedClock(now),
    );

    expect(slot.start.toISOString()).toBe('2026-10-26T08:00:00.000Z');
  });

  it('lets the deadline win outside business hours and flags it', () => {
    const now = Date.parse('2026-03-07T03:00:00Z');
    const slot = findSlot(
      {
        level: 'HIGH',
        receivedAt: new Date(now),
        responseWindowMinutes: 240,
        durationMinutes: 45,
        attendees: [{ email: 'a@x.io', required: true }],
        busy: [],
      },
      policyFor('America/New_York'),
      fixedClock(now),
    );

    expect(slot.start.toISOString()).toBe('2026-03-07T03:15:00.000Z');
    expect(slot.outsideBusinessHours).toBe(true);
    expect(slot.pastDeadline).toBe(false);
  });
});
