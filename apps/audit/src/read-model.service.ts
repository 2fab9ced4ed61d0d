import { Injectable, Logger } from '@nestjs/common';
import type { MeetingSnapshotV1, NotificationOutcomeV1 } from '#libs/contracts';
import type { EntityManager } from 'typeorm';
import { eventTimeOf, type RecordedEvent } from './audit-event';
import {
  ALERT_VIEW_JSON_COLUMNS,
  type AlertView,
  emptyAlertView,
  withAlertFacts,
  withAnalysis,
  withMeeting,
} from './alert-view.projection';
import { MEETING_VIEW_JSON_COLUMNS, type MeetingView, projectMeeting } from './meeting-view.projection';

export type NotificationOutcome = 'delivered' | 'failed';

/**
 * Keeps `alerts_view`, `meetings_view` and `meeting_notifications_view` current from recorded
 * events. Every projection is a guarded merge, so a duplicate or an event older than what a row
 * holds changes nothing, and the views end the same whatever order the topics arrive in.
 */
@Injectable()
export class ReadModelService {
  private readonly logger = new Logger(ReadModelService.name);

  async project(tx: EntityManager, recorded: RecordedEvent): Promise<void> {
    const { event, trace_id, received_at } = recorded;
    switch (event.topic) {
      case 'alert.received':
        return this.updateAlert(tx, event.data.alert.alert_id, recorded, (view) =>
          withAlertFacts(view, event.data, trace_id),
        );
      case 'alert.analyzed':
        return this.updateAlert(tx, event.data.alert.alert_id, recorded, (view) =>
          withAnalysis(withAlertFacts(view, event.data, trace_id), event.data),
        );
      case 'meeting.scheduled':
        return this.projectMeetingEvent(tx, recorded, event.data, null);
      case 'meeting.updated':
      case 'meeting.cancelled':
        return this.projectMeetingEvent(tx, recorded, event.data, event.data.reason);
      case 'notification.delivered':
        return this.recordNotification(tx, event.data, 'delivered', received_at);
      case 'notification.failed':
        return this.recordNotification(tx, event.data, 'failed', received_at);
    }
  }

  /** Empties the views, so a replay can rebuild them from the log. */
  async clear(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE alerts_view, meetings_view, meeting_notifications_view');
  }

  private async projectMeetingEvent(
    tx: EntityManager,
    recorded: RecordedEvent,
    snapshot: MeetingSnapshotV1,
    reason: string | null,
  ): Promise<void> {
    const seenAt = eventTimeOf(recorded.event, recorded.received_at);
    const [current] = await tx.query<MeetingView[]>('SELECT * FROM meetings_view WHERE meeting_id = $1 FOR UPDATE', [
      snapshot.meeting_id,
    ]);
    const next = projectMeeting(current ?? null, snapshot, {
      reason,
      trace_id: recorded.trace_id,
      seen_at: seenAt,
      recorded_at: recorded.received_at,
    });
    await upsert(tx, 'meetings_view', 'meeting_id', next, MEETING_VIEW_JSON_COLUMNS);

    const alertIds = new Set([snapshot.alert_id, ...snapshot.alert_ids]);
    for (const alertId of alertIds) {
      await this.updateAlert(tx, alertId, recorded, (view) => withMeeting(view, snapshot, seenAt));
    }
  }

  private async updateAlert(
    tx: EntityManager,
    alertId: string,
    recorded: RecordedEvent,
    change: (view: AlertView) => AlertView,
  ): Promise<void> {
    const [current] = await tx.query<AlertView[]>('SELECT * FROM alerts_view WHERE alert_id = $1 FOR UPDATE', [
      alertId,
    ]);
    const firstSeen = eventTimeOf(recorded.event, recorded.received_at);
    const next = change(current ?? emptyAlertView(alertId, firstSeen));
    const updated_at = current && current.updated_at > recorded.received_at ? current.updated_at : recorded.received_at;
    await upsert(tx, 'alerts_view', 'alert_id', { ...next, updated_at }, ALERT_VIEW_JSON_COLUMNS);
  }

  /** Keeps the latest outcome per channel and recipient; an older meeting version never overwrites a newer one. */
  private async recordNotification(
    tx: EntityManager,
    outcome: NotificationOutcomeV1,
    result: NotificationOutcome,
    recordedAt: Date,
  ): Promise<void> {
    const at = Number.isNaN(new Date(outcome.at).getTime()) ? recordedAt : new Date(outcome.at);
    await tx.query(
      `INSERT INTO meeting_notifications_view AS current
         (meeting_id, channel, recipient, alert_id, meeting_sequence, outcome, attempts, provider_message_id, error, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (meeting_id, channel, recipient) DO UPDATE
         SET meeting_sequence = EXCLUDED.meeting_sequence, outcome = EXCLUDED.outcome, attempts = EXCLUDED.attempts,
             provider_message_id = EXCLUDED.provider_message_id, error = EXCLUDED.error, at = EXCLUDED.at
         WHERE (EXCLUDED.meeting_sequence, EXCLUDED.at) > (current.meeting_sequence, current.at)`,
      [
        outcome.meeting_id,
        outcome.channel,
        outcome.recipient,
        outcome.alert_id,
        outcome.meeting_sequence,
        result,
        outcome.attempts,
        outcome.provider_message_id,
        outcome.error,
        at,
      ],
    );
    this.logger.debug({ msg: 'notification outcome recorded', meeting_id: outcome.meeting_id, outcome: result });
  }
}

/** Writes a whole view row, inserting it or replacing the stored one. */
async function upsert<Row extends object>(
  tx: EntityManager,
  table: string,
  key: keyof Row & string,
  row: Row,
  jsonColumns: ReadonlySet<keyof Row>,
): Promise<void> {
  const entries = Object.entries(row) as [keyof Row & string, unknown][];
  const columns = entries.map(([column]) => column);
  const values = entries.map(([column, value]) => (jsonColumns.has(column) ? JSON.stringify(value) : value));
  const placeholders = columns.map((_, index) => `$${index + 1}`);
  const updates = columns.filter((column) => column !== key).map((column) => `${column} = EXCLUDED.${column}`);
  await tx.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders.join(', ')})
     ON CONFLICT (${key}) DO UPDATE SET ${updates.join(', ')}`,
    values,
  );
}
