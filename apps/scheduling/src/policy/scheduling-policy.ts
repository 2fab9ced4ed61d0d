import { readFileSync } from 'node:fs';
import { type CalendarProviderName, URGENCY_LEVELS, type UrgencyLevel } from '#libs/contracts';
import { IANAZone } from 'luxon';
import { parse } from 'yaml';

/** Luxon weekday numbers: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface BusinessHours {
  /** Minutes after local midnight when the working day opens and closes. */
  openMinute: number;
  closeMinute: number;
  days: Weekday[];
}

/** How scheduling decides when a meeting may take place: the `scheduling` section of the authorities file. */
export interface SchedulingPolicy {
  timezone: string;
  businessHours: BusinessHours;
  /** Levels that may be booked at any hour. */
  ignoresBusinessHours: UrgencyLevel[];
  /** Minutes between now and the earliest start; 0 means the next 5-minute boundary. */
  minimumNoticeMinutes: Record<UrgencyLevel, number>;
  /** How far ahead of now a meeting may be placed, whatever the response window says. */
  maximumAdvanceMinutes: number;
  correlationWindowMinutes: number;
  /** `{meeting_id}` is replaced by the meeting id; null when meetings have no conferencing link. */
  conferencingLinkTemplate: string | null;
  organizer: { name: string; email: string | null };
  /** `integrations.calendar_provider`; null leaves the choice to whether Slotify credentials are set. */
  calendarProvider: CalendarProviderName | null;
}

export const DEFAULT_SCHEDULING_POLICY: SchedulingPolicy = {
  timezone: 'America/New_York',
  businessHours: { openMinute: 9 * 60, closeMinute: 17 * 60, days: [1, 2, 3, 4, 5] },
  ignoresBusinessHours: ['CRITICAL'],
  minimumNoticeMinutes: { CRITICAL: 0, HIGH: 15, MEDIUM: 30, LOW: 30 },
  maximumAdvanceMinutes: 7 * 24 * 60,
  correlationWindowMinutes: 15,
  conferencingLinkTemplate: null,
  organizer: { name: 'Convene', email: null },
  calendarProvider: null,
};

export class SchedulingPolicyError extends Error {
  readonly code = 'SCHEDULING.POLICY_INVALID';

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${/^(notifications|integrations)\./.test(key) ? key : `scheduling.${key}`}: ${reason}`);
  }
}

const DAY_NAMES: Record<string, Weekday> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/**
 * Reads the `scheduling` section of the authorities file. A missing file or section gives the
 * defaults; a present but malformed key throws naming the key, so a typo never silently changes policy.
 */
export function loadSchedulingPolicy(path: string): SchedulingPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_SCHEDULING_POLICY;
    throw error;
  }
  const document: unknown = parse(text);
  if (!isRecord(document)) return DEFAULT_SCHEDULING_POLICY;
  const policy = parseSchedulingPolicy(document.scheduling, field(document, 'notifications', 'email', 'from'));
  return { ...policy, calendarProvider: readProvider(field(document, 'integrations', 'calendar_provider')) };
}

/** The value at a path of nested mappings, or undefined when any step is missing. */
function field(document: Record<string, unknown>, ...path: string[]): unknown {
  let value: unknown = document;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function readProvider(value: unknown): CalendarProviderName | null {
  if (value === undefined || value === null) return null;
  if (value === 'builtin' || value === 'slotify') return value;
  throw new SchedulingPolicyError('integrations.calendar_provider', 'must be builtin or slotify');
}

/**
 * Turns the raw `scheduling` section into a policy, key by key, defaulting what is absent. The
 * organizer is the notification sender (`notifications.email.from`) so that replies reach the mailbox
 * the invites came from.
 */
export function parseSchedulingPolicy(section: unknown, emailFrom?: unknown): SchedulingPolicy {
  const organizer = readOrganizer(emailFrom);
  if (section === undefined || section === null) return { ...DEFAULT_SCHEDULING_POLICY, organizer };
  if (!isRecord(section)) throw new SchedulingPolicyError('', 'must be a mapping');
  const defaults = DEFAULT_SCHEDULING_POLICY;
  return {
    timezone: readTimezone(section.timezone),
    businessHours: readBusinessHours(section.business_hours),
    ignoresBusinessHours: readOverride(section.critical_overrides_business_hours),
    minimumNoticeMinutes: readNotice(section.minimum_notice_minutes),
    maximumAdvanceMinutes:
      readMinutes('maximum_advance_days', section.maximum_advance_days, defaults.maximumAdvanceMinutes / 1440) * 1440,
    correlationWindowMinutes: readMinutes(
      'correlation_window_minutes',
      section.correlation_window_minutes,
      defaults.correlationWindowMinutes,
    ),
    conferencingLinkTemplate: readOptionalString('conference_link_template', section.conference_link_template),
    organizer,
    calendarProvider: null,
  };
}

function readTimezone(value: unknown): string {
  if (value === undefined) return DEFAULT_SCHEDULING_POLICY.timezone;
  if (typeof value !== 'string' || !IANAZone.isValidZone(value)) {
    throw new SchedulingPolicyError('timezone', 'must be an IANA time zone such as America/New_York');
  }
  return value;
}

function readBusinessHours(value: unknown): BusinessHours {
  const defaults = DEFAULT_SCHEDULING_POLICY.businessHours;
  if (value === undefined) return defaults;
  if (!isRecord(value)) throw new SchedulingPolicyError('business_hours', 'must be a mapping');
  const openMinute = value.start === undefined ? defaults.openMinute : readClock('business_hours.start', value.start);
  const closeMinute = value.end === undefined ? defaults.closeMinute : readClock('business_hours.end', value.end);
  if (closeMinute <= openMinute) throw new SchedulingPolicyError('business_hours', 'end must be after start');
  return { openMinute, closeMinute, days: value.days === undefined ? defaults.days : readDays(value.days) };
}

function readClock(key: string, value: unknown): number {
  const match = typeof value === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value) : null;
  if (!match) throw new SchedulingPolicyError(key, 'must be a 24-hour "HH:MM" time');
  return Number(match[1]) * 60 + Number(match[2]);
}

function readDays(value: unknown): Weekday[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SchedulingPolicyError('business_hours.days', 'must be a non-empty list of weekdays');
  }
  return value.map((day: unknown) => {
    const weekday = typeof day === 'string' ? DAY_NAMES[day.slice(0, 3).toLowerCase()] : undefined;
    if (weekday !== undefined) return weekday;
    if (typeof day === 'number' && Number.isInteger(day) && day >= 1 && day <= 7) return day as Weekday;
    throw new SchedulingPolicyError('business_hours.days', 'entries are mon … sun or 1 (Monday) … 7 (Sunday)');
  });
}

function readOverride(value: unknown): UrgencyLevel[] {
  if (value === undefined) return DEFAULT_SCHEDULING_POLICY.ignoresBusinessHours;
  if (typeof value !== 'boolean')
    throw new SchedulingPolicyError('critical_overrides_business_hours', 'must be true or false');
  return value ? ['CRITICAL'] : [];
}

function readNotice(value: unknown): Record<UrgencyLevel, number> {
  const notice = { ...DEFAULT_SCHEDULING_POLICY.minimumNoticeMinutes };
  if (value === undefined) return notice;
  if (!isRecord(value)) throw new SchedulingPolicyError('minimum_notice_minutes', 'must map levels to minutes');
  for (const [key, minutes] of Object.entries(value)) {
    const level = readLevel('minimum_notice_minutes', key);
    notice[level] = readMinutes(`minimum_notice_minutes.${key}`, minutes, notice[level]);
  }
  return notice;
}

function readLevel(key: string, value: unknown): UrgencyLevel {
  const level = typeof value === 'string' ? value.toUpperCase() : '';
  const known = URGENCY_LEVELS.find((candidate) => candidate === level);
  if (!known) throw new SchedulingPolicyError(key, `unknown urgency level (expected ${URGENCY_LEVELS.join(', ')})`);
  return known;
}

function readMinutes(key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SchedulingPolicyError(key, 'must be a whole number, 0 or more');
  }
  return value;
}

function readOptionalString(key: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new SchedulingPolicyError(key, 'must be a string');
  return value;
}

/** `Name <address>` or a bare address; absent means the default organizer. */
function readOrganizer(value: unknown): SchedulingPolicy['organizer'] {
  const fallback = DEFAULT_SCHEDULING_POLICY.organizer;
  if (value === undefined || value === null) return fallback;
  const match =
    typeof value === 'string' ? /^\s*(?:(.*?)\s*<([^<>\s]+@[^<>\s]+)>|([^<>\s]+@[^<>\s]+))\s*$/.exec(value) : null;
  if (!match) throw new SchedulingPolicyError('notifications.email.from', 'must be "Name <address>" or an address');
  return { name: match[1] || fallback.name, email: match[2] ?? match[3] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
