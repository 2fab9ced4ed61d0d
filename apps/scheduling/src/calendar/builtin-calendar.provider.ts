import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SchedulingSettings } from '../scheduling-settings';
import type { BusyInterval } from '../slots/slot-search';
import { BusyBlockEntity } from './busy-block.entity';
import { type CalendarBooking, CalendarProvider, type CalendarReceipt } from './calendar-provider';

/** Convene's own calendar: busy blocks in the scheduling schema and meeting pages under PUBLIC_URL. */
@Injectable()
export class BuiltinCalendarProvider extends CalendarProvider {
  constructor(private readonly settings: SchedulingSettings) {
    super();
  }

  async busy(
    tx: EntityManager,
    emails: string[],
    from: Date,
    to: Date,
    exceptMeetingId?: string,
  ): Promise<BusyInterval[]> {
    if (emails.length === 0) return [];
    const query = tx
      .getRepository(BusyBlockEntity)
      .createQueryBuilder('block')
      .where('block.email IN (:...emails)', { emails })
      .andWhere('block.end_at > :from AND block.start_at < :to', { from, to });
    if (exceptMeetingId) query.andWhere('block.meeting_id IS DISTINCT FROM :exceptMeetingId', { exceptMeetingId });
    const blocks = await query.getMany();
    return blocks.map((block) => ({ email: block.email, start: block.startAt, end: block.endAt }));
  }

  async book(tx: EntityManager, booking: CalendarBooking): Promise<CalendarReceipt> {
    await this.holdTime(tx, booking);
    return {
      provider: 'builtin',
      providerRef: null,
      url: `${this.settings.publicUrl}/meetings/${booking.meetingId}`,
      conferencingUrl: this.conferencingUrl(booking.meetingId),
    };
  }

  async reschedule(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<CalendarReceipt> {
    await this.holdTime(tx, booking);
    return current;
  }

  async cancel(tx: EntityManager, booking: CalendarBooking): Promise<void> {
    await tx.getRepository(BusyBlockEntity).delete({ meetingId: booking.meetingId });
  }

  /** Replaces the meeting's busy blocks with one per attendee at its current time; any provider's meetings use it. */
  async holdTime(tx: EntityManager, booking: CalendarBooking): Promise<void> {
    const repository = tx.getRepository(BusyBlockEntity);
    await repository.delete({ meetingId: booking.meetingId });
    const blocks = booking.attendees.map((attendee) =>
      repository.create({
        email: attendee.email,
        startAt: booking.start,
        endAt: booking.end,
        meetingId: booking.meetingId,
      }),
    );
    if (blocks.length > 0) await repository.insert(blocks);
  }

  private conferencingUrl(meetingId: string): string | null {
    const template = this.settings.policy.conferencingLinkTemplate;
    return template ? template.replaceAll('{meeting_id}', encodeURIComponent(meetingId)) : null;
  }
}
