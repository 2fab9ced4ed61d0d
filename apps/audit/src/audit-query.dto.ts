import {
  ALERT_STATUSES,
  type AlertStatus,
  MEETING_STATUSES,
  type MeetingStatus,
  SEVERITIES,
  type Severity,
  URGENCY_LEVELS,
  type UrgencyLevel,
} from '#libs/contracts';
import { AuditQueryException } from './audit-query.exception';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
export const DEFAULT_REPORT_DAYS = 30;

/** Where a page ends: the sort key of its last row. */
export interface PageCursor {
  created_at: string;
  id: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  next_cursor: string | null;
}

export interface AlertListQuery {
  limit: number;
  cursor: PageCursor | null;
  severity?: Severity;
  alert_type?: string;
  status?: AlertStatus;
  from?: Date;
  to?: Date;
}

export interface MeetingListQuery {
  limit: number;
  cursor: PageCursor | null;
  status?: MeetingStatus;
  urgency?: UrgencyLevel;
  from?: Date;
  to?: Date;
}

export type RawQuery = Record<string, string | string[] | undefined>;

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.created_at, cursor.id])).toString('base64url');
}

/** Parses `?limit&cursor&severity&alert_type&status&from&to`; an invalid parameter is an AUDIT.QUERY_INVALID. */
export function parseAlertListQuery(raw: RawQuery): AlertListQuery {
  const reader = new QueryReader(raw);
  const query: AlertListQuery = {
    limit: reader.limit(),
    cursor: reader.cursor(),
    severity: reader.oneOf('severity', SEVERITIES),
    alert_type: reader.text('alert_type'),
    status: reader.oneOf('status', ALERT_STATUSES),
    from: reader.instant('from'),
    to: reader.instant('to'),
  };
  reader.done();
  return query;
}

/** Parses `?limit&cursor&status&urgency&from&to`; urgency is case-insensitive (`critical` or `CRITICAL`). */
export function parseMeetingListQuery(raw: RawQuery): MeetingListQuery {
  const reader = new QueryReader(raw);
  const urgency = reader.text('urgency')?.toUpperCase();
  const query: MeetingListQuery = {
    limit: reader.limit(),
    cursor: reader.cursor(),
    status: reader.oneOf('status', MEETING_STATUSES),
    urgency: urgency === undefined ? undefined : reader.check('urgency', urgency, URGENCY_LEVELS),
    from: reader.instant('from'),
    to: reader.instant('to'),
  };
  reader.done();
  return query;
}

/** Parses a report's `?limit&days`. */
export function parseReportQuery(raw: RawQuery): { limit: number; days: number } {
  const reader = new QueryReader(raw);
  const query = { limit: reader.limit(), days: reader.integer('days', 1, 3650) ?? DEFAULT_REPORT_DAYS };
  reader.done();
  return query;
}

/** Reads query parameters one by one, collecting every invalid one before failing. */
class QueryReader {
  private readonly invalid: string[] = [];

  constructor(private readonly raw: RawQuery) {}

  text(name: string): string | undefined {
    const value = this.raw[name];
    if (Array.isArray(value)) return this.fail(name);
    return value === undefined || value === '' ? undefined : value;
  }

  limit(): number {
    return this.integer('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    return Number.isInteger(value) && value >= min && value <= max ? value : this.fail(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const text = this.text(name);
    return text === undefined ? undefined : this.check(name, text, allowed);
  }

  check<T extends string>(name: string, value: string, allowed: readonly T[]): T | undefined {
    return (allowed as readonly string[]).includes(value) ? (value as T) : this.fail(name);
  }

  instant(name: string): Date | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = new Date(text);
    return Number.isNaN(value.getTime()) ? this.fail(name) : value;
  }

  cursor(): PageCursor | null {
    const text = this.text('cursor');
    if (text === undefined) return null;
    try {
      const decoded: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
      if (isCursorTuple(decoded) && !Number.isNaN(new Date(decoded[0]).getTime())) {
        return { created_at: decoded[0], id: decoded[1] };
      }
    } catch {
      // An undecodable cursor is reported like any other invalid parameter.
    }
    return this.fail('cursor') ?? null;
  }

  done(): void {
    if (this.invalid.length > 0) {
      throw new AuditQueryException(
        'AUDIT.QUERY_INVALID',
        `invalid query parameter(s): ${this.invalid.join(', ')}`,
        this.invalid,
      );
    }
  }

  private fail(name: string): undefined {
    this.invalid.push(name);
    return undefined;
  }
}

function isCursorTuple(value: unknown): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'string');
}
