import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ConveneEvent, PermanentError } from '#libs/messaging';
import { addToLogContext, currentTraceparent } from '#libs/telemetry';
import type { EntityManager } from 'typeorm';
import { NOTIFICATION_SETTINGS, type NotificationSettings } from '../notification.config';
import { Delivery, type MeetingEventKind, type MeetingNotice } from './delivery.entity';
import { planDeliveries } from './delivery-plan';

export type MeetingTopic = 'meeting.scheduled' | 'meeting.updated' | 'meeting.cancelled';

/**
 * Turns a meeting event into delivery records, inside the consumer's transaction. Nothing is sent
 * here: the records commit with the inbox row, and the DeliveryWorker sends them afterwards, so a
 * slow SMTP server never holds the event, and a redelivered event finds its records already there.
 */
@Injectable()
export class DeliveryPlanner {
  private readonly logger = new Logger(DeliveryPlanner.name);

  constructor(@Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings) {}

  async recordDeliveries(event: ConveneEvent<MeetingTopic>, tx: EntityManager): Promise<void> {
    const notice: MeetingNotice = event.data;
    assertNotice(notice);
    addToLogContext({ meeting_id: notice.meeting_id });
    const kind = eventKind(event.topic);
    const sequence = notice.invite.sequence;

    const newest = await supersedeOlderVersions(tx, notice.meeting_id, sequence);
    if (newest !== null && newest > sequence) {
      this.logger.log({ msg: 'older meeting version ignored', meeting_id: notice.meeting_id, sequence, newest });
      return;
    }

    const drafts = planDeliveries(notice, this.settings);
    const traceparent = currentTraceparent();
    const inserted = await insertDrafts(
      tx,
      drafts.map((draft) => ({
        ...draft,
        meeting_id: notice.meeting_id,
        alert_id: notice.alert_id,
        meeting_sequence: sequence,
        event_kind: kind,
        snapshot: notice,
        source_event_id: event.id,
        traceparent,
      })),
    );

    this.logger.log({
      msg: 'deliveries recorded',
      meeting_id: notice.meeting_id,
      alert_id: notice.alert_id,
      sequence,
      kind,
      planned: drafts.length,
      new: inserted,
      skipped_channels: drafts.filter((d) => d.status === 'skipped').map((d) => d.channel),
    });
  }
}

export function eventKind(topic: MeetingTopic): MeetingEventKind {
  switch (topic) {
    case 'meeting.scheduled':
      return 'scheduled';
    case 'meeting.updated':
      return 'updated';
    case 'meeting.cancelled':
      return 'cancelled';
  }
}

function assertNotice(notice: MeetingNotice): void {
  const valid =
    typeof notice.meeting_id === 'string' &&
    typeof notice.alert_id === 'string' &&
    Number.isInteger(notice.invite?.sequence) &&
    typeof notice.invite_ics === 'string' &&
    Array.isArray(notice.attendees) &&
    Array.isArray(notice.notification_channels);
  if (!valid)
    throw new PermanentError('NOTIFICATION.MEETING_INVALID', 'meeting event lacks its id, invite or attendees');
}

/**
 * A newer version makes unsent messages of older ones pointless: the recipient gets only the
 * newest. Unless a newer version than this one is planned already (then this event is the stale
 * one and changes nothing), skips the pending messages of older versions. Returns the newest
 * version planned before this event; one statement, as the consumer's transaction runs it per event.
 */
async function supersedeOlderVersions(tx: EntityManager, meetingId: string, sequence: number): Promise<number | null> {
  const rows: { newest: number | null }[] = await tx.query(
    `WITH superseded AS (
       UPDATE deliveries
          SET status = 'skipped', last_error = $3, updated_at = now(), completed_at = now()
        WHERE meeting_id = $1 AND meeting_sequence < $2 AND status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM deliveries WHERE meeting_id = $1 AND meeting_sequence > $2)
     )
     SELECT max(meeting_sequence) AS newest FROM deliveries WHERE meeting_id = $1`,
    [meetingId, sequence, `superseded by version ${sequence}`],
  );
  return rows[0]?.newest ?? null;
}

/** ON CONFLICT DO NOTHING on the version key: a repeated event adds nothing. Returns how many were new. */
async function insertDrafts(tx: EntityManager, rows: Partial<Delivery>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await tx
    .createQueryBuilder()
    .insert()
    .into(Delivery)
    .values(rows.map((row) => ({ ...row, completed_at: row.status === 'skipped' ? () => 'now()' : null })))
    .orIgnore()
    .returning('id')
    .execute();
  return (result.raw as unknown[]).length;
}
