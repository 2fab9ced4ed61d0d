import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BusyInterval } from '../slots/slot-search';
import type { BuiltinCalendarProvider } from './builtin-calendar.provider';
import { type CalendarBooking, CalendarProvider, type CalendarReceipt } from './calendar-provider';
import type { CircuitBreaker } from './circuit-breaker';
import type { SlotifyClient, SlotifyMeetingRequest } from './slotify.client';
import { SlotifyException } from './slotify.exception';

/**
 * Books in Slotify and falls back to the built-in calendar when Slotify fails or its circuit is
 * open; the receipt's provider says which one holds the meeting. Busy blocks stay in Convene's
 * own table for every meeting, since Slotify offers no free/busy query.
 */
export class SlotifyCalendarProvider extends CalendarProvider {
  private readonly logger = new Logger(SlotifyCalendarProvider.name);

  constructor(
    private readonly client: SlotifyClient,
    private readonly breaker: CircuitBreaker,
    private readonly builtin: BuiltinCalendarProvider,
  ) {
    super();
  }

  busy(tx: EntityManager, emails: string[], from: Date, to: Date, exceptMeetingId?: string): Promise<BusyInterval[]> {
    return this.builtin.busy(tx, emails, from, to, exceptMeetingId);
  }

  async book(tx: EntityManager, booking: CalendarBooking): Promise<CalendarReceipt> {
    const booked = await this.guarded('book', booking, () =>
      this.client.createMeeting(toRequest(booking), `${booking.idempotencyKey}:book`),
    );
    if (!booked) return this.builtin.book(tx, booking);

    await this.builtin.holdTime(tx, booking);
    return {
      provider: 'slotify',
      providerRef: booked.meeting_id,
      url: booked.meeting_url,
      conferencingUrl: booked.meeting_url,
    };
  }

  async reschedule(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<CalendarReceipt> {
    const ref = current.providerRef;
    if (current.provider === 'slotify' && ref) {
      // TODO(#6): a change Slotify missed is only logged; reconcile it once Slotify is reachable again.
      await this.guarded('reschedule', booking, () =>
        this.client.updateMeeting(ref, toRequest(booking), `${booking.idempotencyKey}:reschedule`),
      );
    }
    return this.builtin.reschedule(tx, booking, current);
  }

  async cancel(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<void> {
    const ref = current.providerRef;
    if (current.provider === 'slotify' && ref) {
      await this.guarded('cancel', booking, () =>
        this.client.cancelMeeting(ref, 'alert resolved', `${booking.idempotencyKey}:cancel`),
      );
    }
    await this.builtin.cancel(tx, booking);
  }

  /** Runs a Slotify call through the breaker; null when it was skipped or failed, after logging why. */
  private async guarded<T>(operation: string, booking: CalendarBooking, call: () => Promise<T>): Promise<T | null> {
    if (!this.breaker.allowsRequest()) {
      this.logger.warn({
        msg: 'slotify circuit open, using built-in calendar',
        operation,
        meeting_id: booking.meetingId,
      });
      return null;
    }
    try {
      const result = await call();
      this.breaker.recordSuccess();
      return result;
    } catch (error) {
      const exception = error instanceof SlotifyException ? error : null;
      // A 4xx says our request was wrong, not that Slotify is down.
      if (!exception || exception.retriable) this.breaker.recordFailure();
      this.logger.warn({
        msg: 'slotify call failed, using built-in calendar',
        operation,
        meeting_id: booking.meetingId,
        code: exception?.code ?? 'SLOTIFY.UNEXPECTED',
        status: exception?.status ?? null,
      });
      return null;
    }
  }
}

function toRequest(booking: CalendarBooking): SlotifyMeetingRequest {
  return {
    title: booking.title,
    description: booking.description,
    scheduled_time: booking.start.toISOString(),
    duration_minutes: booking.durationMinutes,
    attendees: booking.attendees.map(({ name, email, role }) => ({ name, email, role })),
    alert_reference: booking.alertReference,
    organizer: booking.organizer.email,
  };
}
