import type { UrgencyLevel } from '#libs/contracts';
import { DateTime } from 'luxon';
import type { SchedulingPolicy } from '../policy/scheduling-policy';
import type { Clock } from './clock';

/** Meetings start on this grid (UTC minutes), which is also the CRITICAL "next boundary". */
export const SLOT_STEP_MINUTES = 5;
const STEP_MS = SLOT_STEP_MINUTES * 60_000;

export interface SlotAttendee {
  email: string;
  required: boolean;
}

/** A time an attendee cannot meet, half-open: [start, end). */
export interface BusyInterval {
  email: string;
  start: Date;
  end: Date;
}

export interface SlotQuery {
  level: UrgencyLevel;
  receivedAt: Date;
  responseWindowMinutes: number;
  durationMinutes: number;
  attendees: SlotAttendee[];
  busy: BusyInterval[];
}

export interface Slot {
  start: Date;
  end: Date;
  /** receivedAt + response window: the latest moment the meeting may start. */
  deadline: Date;
  outsideBusinessHours: boolean;
  /** The window had closed before the earliest allowed start, so the meeting is as soon as notice allows. */
  pastDeadline: boolean;
  /** Emails of attendees busy during the chosen slot. */
  conflicts: string[];
}

/**
 * Chooses when a meeting starts: on the 5-minute grid, no earlier than the level's minimum notice,
 * starting no later than the response-window deadline, inside business hours in the policy's time
 * zone unless the level overrides them or no business-hours slot fits, and where the most required
 * (then optional) attendees are free; the earliest such slot wins.
 */
export function findSlot(query: SlotQuery, policy: SchedulingPolicy, clock: Clock): Slot {
  const now = clock.now();
  const durationMs = query.durationMinutes * 60_000;
  const deadline = new Date(query.receivedAt.getTime() + query.responseWindowMinutes * 60_000);
  const earliest = earliestStart(now, policy.minimumNoticeMinutes[query.level]);
  const latest = floorToGrid(Math.min(deadline.getTime(), now.getTime() + policy.maximumAdvanceMinutes * 60_000));

  if (earliest > latest) return describe(earliest, durationMs, deadline, true, query, policy);

  const overrides = policy.ignoresBusinessHours.includes(query.level);
  const hours = openingHours(earliest, latest + durationMs, policy);
  const candidates: number[] = [];
  for (let start = earliest; start <= latest; start += STEP_MS) candidates.push(start);
  const inHours = overrides ? [] : candidates.filter((start) => withinOpening(start, durationMs, hours));
  const pool = overrides || inHours.length === 0 ? candidates : inHours;

  return describe(leastConflicted(pool, durationMs, query), durationMs, deadline, false, query, policy);
}

/** Whether [start, start + duration) lies inside one working day of the policy's time zone. */
export function fitsBusinessHours(start: number, durationMs: number, policy: SchedulingPolicy): boolean {
  return withinOpening(start, durationMs, openingHours(start, start + durationMs, policy));
}

/** The open [from, to) instants of every working day that touches [from, to], in the policy's zone. */
function openingHours(from: number, to: number, policy: SchedulingPolicy): [number, number][] {
  const intervals: [number, number][] = [];
  const last = DateTime.fromMillis(to, { zone: policy.timezone }).startOf('day');
  for (let day = DateTime.fromMillis(from, { zone: policy.timezone }).startOf('day'); day <= last;) {
    if (policy.businessHours.days.some((weekday) => weekday === day.weekday)) {
      intervals.push([
        atLocalMinute(day, policy.businessHours.openMinute),
        atLocalMinute(day, policy.businessHours.closeMinute),
      ]);
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
  return intervals;
}

function withinOpening(start: number, durationMs: number, hours: [number, number][]): boolean {
  return hours.some(([open, close]) => start >= open && start + durationMs <= close);
}

/** The instant of a wall-clock minute on a local day; luxon shifts times that DST skips forward. */
function atLocalMinute(day: DateTime, minuteOfDay: number): number {
  return day
    .set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, second: 0, millisecond: 0 })
    .toMillis();
}

function earliestStart(now: Date, noticeMinutes: number): number {
  if (noticeMinutes === 0) return Math.floor(now.getTime() / STEP_MS) * STEP_MS + STEP_MS;
  return Math.ceil((now.getTime() + noticeMinutes * 60_000) / STEP_MS) * STEP_MS;
}

function floorToGrid(ms: number): number {
  return Math.floor(ms / STEP_MS) * STEP_MS;
}

function leastConflicted(pool: number[], durationMs: number, query: SlotQuery): number {
  let best = pool[0];
  let bestScore = [-1, -1];
  for (const start of pool) {
    const busy = new Set(conflictsAt(start, durationMs, query));
    const freeRequired = query.attendees.filter((a) => a.required && !busy.has(a.email)).length;
    const freeAll = query.attendees.length - busy.size;
    if (freeRequired > bestScore[0] || (freeRequired === bestScore[0] && freeAll > bestScore[1])) {
      best = start;
      bestScore = [freeRequired, freeAll];
    }
    if (busy.size === 0) break;
  }
  return best;
}

function conflictsAt(start: number, durationMs: number, query: SlotQuery): string[] {
  const end = start + durationMs;
  const busy = new Set(
    query.busy
      .filter((block) => block.start.getTime() < end && start < block.end.getTime())
      .map((block) => block.email),
  );
  return query.attendees.map((attendee) => attendee.email).filter((email) => busy.has(email));
}

function describe(
  start: number,
  durationMs: number,
  deadline: Date,
  pastDeadline: boolean,
  query: SlotQuery,
  policy: SchedulingPolicy,
): Slot {
  return {
    start: new Date(start),
    end: new Date(start + durationMs),
    deadline,
    outsideBusinessHours: !fitsBusinessHours(start, durationMs, policy),
    pastDeadline,
    conflicts: conflictsAt(start, durationMs, query),
  };
}
