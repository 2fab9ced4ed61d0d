import { Injectable, Logger } from '@nestjs/common';
import type { AlertAnalyzedV1 } from '#libs/contracts';
import type { ConveneEvent, EventHandler } from '#libs/messaging';
import { addToLogContext } from '#libs/telemetry';
import type { EntityManager } from 'typeorm';
import { SchedulingSettings } from '../scheduling-settings';
import { Clock } from '../slots/clock';
import { MeetingAlertEntity } from './meeting-alert.entity';
import { MeetingScheduler } from './meeting-scheduler.service';
import { MeetingEntity } from './meeting.entity';

type AnalyzedEvent = ConveneEvent<'alert.analyzed'>;

const MINUTE = 60_000;

/**
 * Turns an analyzed alert into the right meeting change: book a new meeting, join a correlated open
 * one, escalate, or cancel on resolution. A revision not newer than the last one seen changes nothing.
 */
@Injectable()
export class ScheduleMeetingWhenAlertAnalyzed implements EventHandler<'alert.analyzed'> {
  readonly topic = 'alert.analyzed' as const;
  // The correlation lock per alert type (findCorrelated) must not be held across a run of events.
  readonly ownTransaction = true;
  private readonly logger = new Logger(ScheduleMeetingWhenAlertAnalyzed.name);

  constructor(
    private readonly scheduler: MeetingScheduler,
    private readonly settings: SchedulingSettings,
    private readonly clock: Clock,
  ) {}

  async handle(event: AnalyzedEvent, tx: EntityManager): Promise<void> {
    const data = event.data;
    const record = await tx
      .getRepository(MeetingAlertEntity)
      .findOne({ where: { alertId: data.alert.alert_id }, lock: { mode: 'pessimistic_write' } });
    if (record && data.revision <= record.revision) {
      this.logger.log({
        msg: 'stale or duplicate analysis ignored',
        alert_id: data.alert.alert_id,
        revision: data.revision,
      });
      return;
    }

    const meeting = record?.meetingId ? await this.lockMeeting(tx, record.meetingId) : null;
    if (meeting) addToLogContext({ meeting_id: meeting.id });
    const meetingId = await this.apply(event, tx, meeting);

    await tx.getRepository(MeetingAlertEntity).save({
      alertId: data.alert.alert_id,
      meetingId,
      revision: data.revision,
      resolved: data.change === 'resolved',
      updatedAt: this.clock.now(),
    });
    if (data.change === 'resolved' && meeting) await this.cancelIfAllResolved(event, tx, meeting);
  }

  /** Applies the change and returns the meeting the alert now belongs to. */
  private async apply(event: AnalyzedEvent, tx: EntityManager, meeting: MeetingEntity | null): Promise<string | null> {
    const data = event.data;
    switch (data.change) {
      case 'resolved':
        return meeting?.id ?? null;
      case 'escalated':
      case 'new':
        if (meeting?.status === 'scheduled') {
          if (data.change === 'escalated') await this.scheduler.extend(tx, meeting, event, 'escalated');
          return meeting.id;
        }
        return this.bookOrCorrelate(event, tx);
    }
  }

  private async bookOrCorrelate(event: AnalyzedEvent, tx: EntityManager): Promise<string | null> {
    const data = event.data;
    if (!data.books_meeting) {
      this.logger.log({
        msg: 'urgency level only notifies, no meeting',
        alert_id: data.alert.alert_id,
        level: data.urgency.level,
      });
      return null;
    }

    const open = await this.findCorrelated(tx, data);
    if (open) {
      await this.scheduler.extend(tx, open, event, 'correlated');
      return open.id;
    }
    return (await this.scheduler.book(tx, event)).id;
  }

  /**
   * An open, not yet started meeting for the same alert type on an overlapping system, opened within
   * the correlation window. The advisory lock serialises alerts of one type, so two of them arriving
   * together cannot both book.
   */
  private async findCorrelated(tx: EntityManager, data: AlertAnalyzedV1): Promise<MeetingEntity | null> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`scheduling.correlation:${data.alert.alert_type}`]);
    const receivedAt = Date.parse(data.received_at);
    const window = this.settings.policy.correlationWindowMinutes * MINUTE;
    return tx
      .getRepository(MeetingEntity)
      .createQueryBuilder('meeting')
      .setLock('pessimistic_write')
      .where("meeting.status = 'scheduled'")
      .andWhere('meeting.alert_type = :type', { type: data.alert.alert_type })
      .andWhere('meeting.affected_systems && CAST(:systems AS text[])', { systems: data.alert.affected_systems })
      .andWhere('meeting.opened_at BETWEEN :from AND :to', {
        from: new Date(receivedAt - window),
        to: new Date(receivedAt + window),
      })
      .andWhere('meeting.start_at > :now', { now: this.clock.now() })
      .orderBy('meeting.opened_at', 'ASC')
      .getOne();
  }

  /** A resolved alert cancels its meeting only when it has not started and every alert it covers is resolved. */
  private async cancelIfAllResolved(event: AnalyzedEvent, tx: EntityManager, meeting: MeetingEntity): Promise<void> {
    if (meeting.status !== 'scheduled' || meeting.startAt <= this.clock.now()) {
      this.logger.log({ msg: 'resolution leaves meeting as it is', meeting_id: meeting.id, status: meeting.status });
      return;
    }
    const stillOpen = await tx
      .getRepository(MeetingAlertEntity)
      .count({ where: { meetingId: meeting.id, resolved: false } });
    if (stillOpen > 0) {
      this.logger.log({ msg: 'meeting kept for alerts still firing', meeting_id: meeting.id, open_alerts: stillOpen });
      return;
    }
    await this.scheduler.cancel(tx, meeting, event, 'resolved');
  }

  private lockMeeting(tx: EntityManager, id: string): Promise<MeetingEntity | null> {
    return tx.getRepository(MeetingEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }
}
