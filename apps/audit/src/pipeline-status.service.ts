import { Injectable } from '@nestjs/common';
import type { NotificationOutcomeV1 } from '#libs/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { scrubErrorText } from './error-text';
import {
  CONSUMING_SERVICES,
  type LastErrorJson,
  type PipelineStages,
  type PipelineStatusJson,
  type ServiceErrorsJson,
  type StageCount,
} from './pipeline-status.dto';

type StageRow = Record<`${keyof PipelineStages}_${'window' | 'total'}`, number>;

interface DeadLetterRow {
  service: string;
  window: number;
  total: number;
  failed_at: string | null;
  error_code: string | null;
  error_message: string | null;
  topic: string | null;
  alert_id: string | null;
}

// TODO(#4): every count scans its read model (fine to hundreds of thousands of rows); keep per-stage
// counters beside the projections when /status gets slow.
const STAGE_COUNTS = `
  SELECT
    count(*) FILTER (WHERE alert_revision > 0)::int AS received_total,
    count(*) FILTER (WHERE alert_revision > 0 AND created_at >= $1)::int AS received_window,
    count(*) FILTER (WHERE processed_at IS NOT NULL)::int AS analyzed_total,
    count(*) FILTER (WHERE processed_at >= $1)::int AS analyzed_window,
    (SELECT count(*) FROM meetings_view)::int AS scheduled_total,
    (SELECT count(*) FROM meetings_view WHERE created_at >= $1)::int AS scheduled_window,
    (SELECT count(*) FROM meetings_view WHERE status = 'cancelled')::int AS cancelled_total,
    (SELECT count(*) FROM meetings_view WHERE status = 'cancelled' AND updated_at >= $1)::int AS cancelled_window,
    (SELECT count(DISTINCT meeting_id) FROM meeting_notifications_view WHERE outcome = 'delivered')::int
      AS notified_total,
    (SELECT count(DISTINCT meeting_id) FROM meeting_notifications_view WHERE outcome = 'delivered' AND at >= $1)::int
      AS notified_window,
    (SELECT count(*) FROM meeting_notifications_view WHERE outcome = 'failed')::int AS notification_failed_total,
    (SELECT count(*) FROM meeting_notifications_view WHERE outcome = 'failed' AND at >= $1)::int
      AS notification_failed_window,
    (SELECT count(*) FROM observed_dead_letters)::int AS dead_lettered_total,
    (SELECT count(*) FROM observed_dead_letters WHERE failed_at >= $1)::int AS dead_lettered_window
  FROM alerts_view`;

/** Per service: its dead letters and the newest one. */
const DEAD_LETTERS_BY_SERVICE = `
  SELECT service, count(*)::int AS total, count(*) FILTER (WHERE failed_at >= $1)::int AS window,
         (array_agg(to_json(failed_at) #>> '{}' ORDER BY failed_at DESC))[1] AS failed_at,
         (array_agg(error_code ORDER BY failed_at DESC))[1] AS error_code,
         (array_agg(error_message ORDER BY failed_at DESC))[1] AS error_message,
         (array_agg(topic ORDER BY failed_at DESC))[1] AS topic,
         (array_agg(alert_id ORDER BY failed_at DESC))[1] AS alert_id
  FROM observed_dead_letters GROUP BY service`;

/**
 * The pipeline as the audit service sees it: how many alerts reached each stage, and per consuming
 * service its dead letters and last error. Everything comes from the audit's own tables, which it
 * fills from every topic and every dead-letter topic; no other service's tables are read.
 */
@Injectable()
export class PipelineStatusService {
  constructor(private readonly dataSource: DataSource) {}

  async status(windowHours: number, now = new Date()): Promise<PipelineStatusJson> {
    const since = new Date(now.getTime() - windowHours * 3_600_000);
    // One snapshot for all three reads: on separate connections a failure committed between them
    // showed up as the last error while the stage counts did not include it yet.
    const [stageRows, deadLetterRows, notificationFailure] = await this.dataSource.transaction(
      'REPEATABLE READ',
      async (tx) => [
        await tx.query<StageRow[]>(STAGE_COUNTS, [since]),
        await tx.query<DeadLetterRow[]>(DEAD_LETTERS_BY_SERVICE, [since]),
        await this.lastNotificationFailure(tx),
      ],
    );

    const services: Record<string, ServiceErrorsJson> = {};
    for (const service of CONSUMING_SERVICES) services[service] = { dead_letters: zero(), last_error: null };
    for (const row of deadLetterRows) {
      services[row.service] = {
        dead_letters: { window: row.window, total: row.total },
        last_error: deadLetterError(row),
      };
    }
    const notification = services.notification;
    if (notificationFailure && isNewer(notificationFailure, notification.last_error)) {
      notification.last_error = notificationFailure;
    }
    return { as_of: now.toISOString(), window_hours: windowHours, stages: stagesOf(stageRows[0]), services };
  }

  /** The newest notification.failed in the log, found through its partial index. */
  private async lastNotificationFailure(tx: EntityManager): Promise<LastErrorJson | null> {
    const [row] = await tx.query<{ payload: NotificationOutcomeV1; received_at: string }[]>(
      `SELECT payload, to_json(received_at) #>> '{}' AS received_at FROM audit_log
       WHERE topic = 'notification.failed' ORDER BY seq DESC LIMIT 1`,
    );
    if (!row) return null;

    const { code, message } = splitError(row.payload.error ?? '');
    const at = Number.isNaN(Date.parse(row.payload.at)) ? row.received_at : new Date(row.payload.at).toISOString();
    return {
      at,
      code,
      message: scrubErrorText(`${row.payload.channel} to ${row.payload.recipient}: ${message}`),
      source: 'notification.failed',
      topic: 'notification.failed',
      alert_id: row.payload.alert_id,
    };
  }
}

function stagesOf(row: StageRow | undefined): PipelineStages {
  const count = (stage: keyof PipelineStages): StageCount => ({
    window: row?.[`${stage}_window`] ?? 0,
    total: row?.[`${stage}_total`] ?? 0,
  });
  return {
    received: count('received'),
    analyzed: count('analyzed'),
    scheduled: count('scheduled'),
    notified: count('notified'),
    cancelled: count('cancelled'),
    notification_failed: count('notification_failed'),
    dead_lettered: count('dead_lettered'),
  };
}

function deadLetterError(row: DeadLetterRow): LastErrorJson | null {
  if (!row.failed_at) return null;
  return {
    at: new Date(row.failed_at).toISOString(),
    code: row.error_code ?? 'MESSAGING.UNKNOWN',
    message: row.error_message ?? '',
    source: 'dead_letter',
    topic: row.topic ?? 'unknown',
    alert_id: row.alert_id ?? 'unknown',
  };
}

/** A delivery error reads `CODE: message` (notification's DeliveryFailure); anything else keeps a generic code. */
function splitError(error: string): { code: string; message: string } {
  const match = /^([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+): ([\s\S]*)$/.exec(error);
  return match ? { code: match[1], message: match[2] } : { code: 'NOTIFICATION.FAILED', message: error };
}

function isNewer(candidate: LastErrorJson, current: LastErrorJson | null): boolean {
  return current === null || Date.parse(candidate.at) > Date.parse(current.at);
}

function zero(): StageCount {
  return { window: 0, total: 0 };
}
