import { AuditQueryException } from './audit-query.exception';

/** How many alerts, meetings or messages reached one stage: within the window and since the start. */
export interface StageCount {
  window: number;
  total: number;
}

export interface PipelineStages {
  /** Alerts whose facts the audit service holds (alert.received, or alert.analyzed carrying them). */
  received: StageCount;
  /** Alerts with an analysis; the window is on `analyzed_at`. */
  analyzed: StageCount;
  /** Meetings booked; the window is on when the meeting was first seen. */
  scheduled: StageCount;
  /** Meetings with at least one message delivered; the window is on the delivery. */
  notified: StageCount;
  /** Meetings now cancelled; the window is on their last change. */
  cancelled: StageCount;
  /** Messages (channel and recipient) whose latest outcome is failed. */
  notification_failed: StageCount;
  /** Messages any consumer gave up on (every `<topic>.dlq`). */
  dead_lettered: StageCount;
}

export type LastErrorSource = 'dead_letter' | 'notification.failed';

export interface LastErrorJson {
  at: string;
  code: string;
  /** Scrubbed: URLs cut to their host, tokens and secret-named values replaced, at most 240 characters. */
  message: string;
  source: LastErrorSource;
  topic: string;
  alert_id: string;
}

export interface ServiceErrorsJson {
  dead_letters: StageCount;
  last_error: LastErrorJson | null;
}

/** What the audit service knows about the pipeline from every topic and dead-letter topic it consumed. */
export interface PipelineStatusJson {
  as_of: string;
  window_hours: number;
  stages: PipelineStages;
  /** Every consuming service, and any other service that dead-lettered a message. */
  services: Record<string, ServiceErrorsJson>;
}

/** The services that consume topics, so can dead-letter; each appears in `services` even when clean. */
export const CONSUMING_SERVICES = ['analysis', 'scheduling', 'notification', 'audit'] as const;

export const DEFAULT_WINDOW_HOURS = 24;
export const MAX_WINDOW_HOURS = 24 * 90;

/** `window_hours` from 1 to MAX_WINDOW_HOURS, DEFAULT_WINDOW_HOURS when absent. */
export function parseWindowHours(raw: string | string[] | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_WINDOW_HOURS;
  const hours = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(hours >= 1 && hours <= MAX_WINDOW_HOURS)) {
    throw new AuditQueryException(
      'AUDIT.QUERY_INVALID',
      `window_hours must be an integer from 1 to ${MAX_WINDOW_HOURS}`,
      ['window_hours'],
    );
  }
  return hours;
}
