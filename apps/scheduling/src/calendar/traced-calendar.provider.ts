import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '#libs/telemetry';
import type { EntityManager } from 'typeorm';
import type { BusyInterval } from '../slots/slot-search';
import { type CalendarBooking, CalendarProvider, type CalendarReceipt } from './calendar-provider';

/** Wraps a calendar in one client span per call (`calendar book` …), so the trace shows each provider round trip. */
export class TracedCalendarProvider extends CalendarProvider {
  constructor(
    private readonly inner: CalendarProvider,
    private readonly provider: 'builtin' | 'slotify',
  ) {
    super();
  }

  busy(tx: EntityManager, emails: string[], from: Date, to: Date, exceptMeetingId?: string): Promise<BusyInterval[]> {
    return this.traced('busy', { 'calendar.attendees': emails.length }, async (attributes) => {
      const busy = await this.inner.busy(tx, emails, from, to, exceptMeetingId);
      attributes({ 'calendar.busy_intervals': busy.length });
      return busy;
    });
  }

  book(tx: EntityManager, booking: CalendarBooking): Promise<CalendarReceipt> {
    return this.traced('book', this.describe(booking), async (attributes) => {
      const receipt = await this.inner.book(tx, booking);
      attributes({ 'calendar.provider.used': receipt.provider });
      return receipt;
    });
  }

  reschedule(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<CalendarReceipt> {
    return this.traced('reschedule', this.describe(booking), async (attributes) => {
      const receipt = await this.inner.reschedule(tx, booking, current);
      attributes({ 'calendar.provider.used': receipt.provider });
      return receipt;
    });
  }

  cancel(tx: EntityManager, booking: CalendarBooking, current: CalendarReceipt): Promise<void> {
    return this.traced('cancel', this.describe(booking), () => this.inner.cancel(tx, booking, current));
  }

  private describe(booking: CalendarBooking): Record<string, string | number> {
    return {
      'meeting.id': booking.meetingId,
      'alert.id': booking.alertReference,
      'meeting.start': booking.start.toISOString(),
      'meeting.duration_minutes': booking.durationMinutes,
      'calendar.attendees': booking.attendees.length,
    };
  }

  private traced<T>(
    operation: string,
    attributes: Record<string, string | number>,
    work: (addAttributes: (more: Record<string, string | number>) => void) => Promise<T>,
  ): Promise<T> {
    return inSpan(
      `calendar ${operation}`,
      { 'calendar.provider': this.provider, 'calendar.operation': operation, ...attributes },
      (span) => work((more) => span.setAttributes(more)),
      { kind: SpanKind.CLIENT },
    );
  }
}
