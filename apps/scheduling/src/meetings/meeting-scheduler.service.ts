import { Injectable, Logger } from '@nestjs/common';
import type { AlertAnalyzedV1, Attendee, MeetingAttendee, UrgencyLevel } from '#libs/contracts';
import { type ConveneEvent, Outbox } from '#libs/messaging';
import { addSpanEvent, addToLogContext } from '#libs/telemetry';
import type { EntityManager } from 'typeorm';
import { type CalendarBooking, CalendarProvider, type CalendarReceipt } from '../calendar/calendar-provider';
import { type InviteMethod, inviteUid, renderInvite } from '../invites/invite';
import { SchedulingSettings } from '../scheduling-settings';
import { Clock } from '../slots/clock';
import { findSlot, fitsBusinessHours, type Slot } from '../slots/slot-search';
import { newMeetingId } from './meeting-id';
import { toSnapshot, traceIdOf } from './meeting-snapshot';
import { MeetingEntity } from './meeting.entity';
import { recordMeetingBooked } from './scheduling.metrics';

type AnalyzedEvent = ConveneEvent<'alert.analyzed'>;
export type UpdateReason = 'escalated' | 'correlated';

const MINUTE = 60_000;

/**
 * Books, grows, moves and cancels meetings: finds the slot, asks the calendar, renders the invite
 * version, saves the meeting and adds the matching event to the outbox, all in the caller's transaction.
 */
@Injectable()
export class MeetingScheduler {
  private readonly logger = new Logger(MeetingScheduler.name);

  constructor(
    private readonly calendar: CalendarProvider,
    private readonly outbox: Outbox,
    private readonly settings: SchedulingSettings,
    private readonly clock: Clock,
  ) {}

  async book(tx: EntityManager, event: AnalyzedEvent): Promise<MeetingEntity> {
    const data = event.data;
    const attendees = mergeAttendees([], data.attendees);
    const slot = await this.place(
      tx,
      { level: data.urgency.level, durationMinutes: data.urgency.duration_minutes },
      data,
      attendees,
    );

    const meeting = this.newMeeting(tx, event, slot, attendees);
    addToLogContext({ meeting_id: meeting.id });
    addSpanEvent('slot chosen', {
      'meeting.id': meeting.id,
      'meeting.start': slot.start.toISOString(),
      'meeting.duration_minutes': meeting.durationMinutes,
      'slot.outside_business_hours': slot.outsideBusinessHours,
      'slot.past_deadline': slot.pastDeadline,
      'attendees.count': attendees.length,
      'attendees.with_conflict': slot.conflicts.length,
    });
    this.applyReceipt(meeting, await this.calendar.book(tx, this.booking(meeting, event)));
    meeting.inviteIcs = this.render(meeting, 'REQUEST');
    await tx.getRepository(MeetingEntity).insert(meeting);

    await this.outbox.add(tx, 'meeting.scheduled', toSnapshot(meeting, 'REQUEST', traceIdOf(event.traceparent)), {
      key: meeting.alertId,
    });
    recordMeetingBooked(data.urgency.level, new Date(data.received_at), this.clock.now(), meeting.startAt);
    this.logger.log({
      msg: 'meeting booked',
      alert_id: data.alert.alert_id,
      meeting_id: meeting.id,
      provider: meeting.provider,
      outside_business_hours: slot.outsideBusinessHours,
      past_deadline: slot.pastDeadline,
    });
    return meeting;
  }

  /** Folds a newer or related alert into an open meeting, moving it earlier when the new window demands it. */
  async extend(tx: EntityManager, meeting: MeetingEntity, event: AnalyzedEvent, reason: UpdateReason): Promise<void> {
    addToLogContext({ meeting_id: meeting.id });
    const data = event.data;
    const alertDeadline = new Date(Date.parse(data.received_at) + data.urgency.response_window_minutes * MINUTE);
    const tooLate = meeting.startAt > alertDeadline && meeting.startAt > this.clock.now();
    this.mergeAlert(meeting, data, reason);

    const shape = { level: meeting.urgencyLevel, durationMinutes: meeting.durationMinutes };
    const earlier = tooLate ? await this.place(tx, shape, data, meeting.attendees, meeting.id) : null;
    const moved = earlier !== null && earlier.start < meeting.startAt;
    if (moved) {
      this.moveTo(meeting, earlier);
    } else {
      await this.refreshConflicts(tx, meeting);
    }
    if (alertDeadline < meeting.deadline) meeting.deadline = alertDeadline;
    this.applyReceipt(meeting, await this.calendar.reschedule(tx, this.booking(meeting, event), receiptOf(meeting)));
    await this.saveVersion(tx, meeting, 'REQUEST');

    await this.outbox.add(
      tx,
      'meeting.updated',
      { ...toSnapshot(meeting, 'REQUEST', traceIdOf(event.traceparent)), reason },
      { key: meeting.alertId },
    );
    this.logger.log({
      msg: 'meeting updated',
      reason,
      alert_id: data.alert.alert_id,
      meeting_id: meeting.id,
      moved,
    });
  }

  async cancel(tx: EntityManager, meeting: MeetingEntity, event: AnalyzedEvent, reason: string): Promise<void> {
    addToLogContext({ meeting_id: meeting.id });
    meeting.status = 'cancelled';
    await this.calendar.cancel(tx, this.booking(meeting, event), receiptOf(meeting));
    await this.saveVersion(tx, meeting, 'CANCEL');

    await this.outbox.add(
      tx,
      'meeting.cancelled',
      { ...toSnapshot(meeting, 'CANCEL', traceIdOf(event.traceparent)), reason },
      { key: meeting.alertId },
    );
    this.logger.log({ msg: 'meeting cancelled', reason, alert_id: event.data.alert.alert_id, meeting_id: meeting.id });
  }

  private async place(
    tx: EntityManager,
    shape: { level: UrgencyLevel; durationMinutes: number },
    data: AlertAnalyzedV1,
    attendees: MeetingAttendee[],
    exceptMeetingId?: string,
  ): Promise<Slot> {
    const now = this.clock.now().getTime();
    const receivedAt = new Date(data.received_at);
    const { level, durationMinutes } = shape;
    const horizon = Math.max(receivedAt.getTime() + data.urgency.response_window_minutes * MINUTE, now + 60 * MINUTE);
    const emails = attendees.map((attendee) => attendee.email);
    const busy = await this.calendar.busy(
      tx,
      emails,
      new Date(now),
      new Date(horizon + durationMinutes * MINUTE),
      exceptMeetingId,
    );
    const query = {
      level,
      receivedAt,
      responseWindowMinutes: data.urgency.response_window_minutes,
      durationMinutes,
      attendees: emails.map((email) => ({ email, required: true })),
      busy,
    };
    return findSlot(query, this.settings.policy, this.clock);
  }

  private newMeeting(tx: EntityManager, event: AnalyzedEvent, slot: Slot, attendees: MeetingAttendee[]): MeetingEntity {
    const data = event.data;
    const id = newMeetingId();
    const now = this.clock.now();
    return tx.getRepository(MeetingEntity).create({
      id,
      alertId: data.alert.alert_id,
      alertIds: [data.alert.alert_id],
      alertType: data.alert.alert_type,
      affectedSystems: [...new Set(data.alert.affected_systems)],
      openedAt: new Date(data.received_at),
      ...contextOf(data),
      startAt: slot.start,
      endAt: slot.end,
      durationMinutes: data.urgency.duration_minutes,
      deadline: slot.deadline,
      timezone: this.settings.policy.timezone,
      attendees: withConflicts(attendees, slot.conflicts),
      urgencyLevel: data.urgency.level,
      urgencyScore: data.urgency.score,
      outsideBusinessHours: slot.outsideBusinessHours,
      pastDeadline: slot.pastDeadline,
      status: 'scheduled',
      inviteUid: inviteUid(id, this.settings.organizer.email),
      sequence: 0,
      notificationChannels: data.notification_channels,
      traceId: traceIdOf(event.traceparent),
      createdAt: now,
      updatedAt: now,
    });
  }

  private mergeAlert(meeting: MeetingEntity, data: AlertAnalyzedV1, reason: UpdateReason): void {
    meeting.attendees = mergeAttendees(meeting.attendees, data.attendees);
    if (data.urgency.score > meeting.urgencyScore) {
      meeting.urgencyLevel = data.urgency.level;
      meeting.urgencyScore = data.urgency.score;
    }
    meeting.durationMinutes = Math.max(meeting.durationMinutes, data.urgency.duration_minutes);
    meeting.endAt = new Date(meeting.startAt.getTime() + meeting.durationMinutes * MINUTE);
    meeting.notificationChannels = [...new Set([...meeting.notificationChannels, ...data.notification_channels])];
    if (reason === 'escalated' && data.alert.alert_id === meeting.alertId) {
      Object.assign(meeting, contextOf(data));
      return;
    }
    if (!meeting.alertIds.includes(data.alert.alert_id)) meeting.alertIds = [...meeting.alertIds, data.alert.alert_id];
    meeting.affectedSystems = [...new Set([...meeting.affectedSystems, ...data.alert.affected_systems])];
    meeting.agenda = extendAgenda(meeting.agenda, data);
  }

  private moveTo(meeting: MeetingEntity, slot: Slot): void {
    meeting.startAt = slot.start;
    meeting.endAt = new Date(slot.start.getTime() + meeting.durationMinutes * MINUTE);
    meeting.outsideBusinessHours = slot.outsideBusinessHours;
    meeting.pastDeadline = slot.pastDeadline;
    meeting.attendees = withConflicts(meeting.attendees, slot.conflicts);
  }

  private async refreshConflicts(tx: EntityManager, meeting: MeetingEntity): Promise<void> {
    const emails = meeting.attendees.map((attendee) => attendee.email);
    const busy = await this.calendar.busy(tx, emails, meeting.startAt, meeting.endAt, meeting.id);
    meeting.attendees = withConflicts(
      meeting.attendees,
      busy.map((block) => block.email),
    );
    meeting.outsideBusinessHours = !fitsBusinessHours(
      meeting.startAt.getTime(),
      meeting.durationMinutes * MINUTE,
      this.settings.policy,
    );
  }

  private async saveVersion(tx: EntityManager, meeting: MeetingEntity, method: InviteMethod): Promise<void> {
    meeting.sequence += 1;
    meeting.updatedAt = this.clock.now();
    meeting.inviteIcs = this.render(meeting, method);
    await tx.getRepository(MeetingEntity).save(meeting);
  }

  private applyReceipt(meeting: MeetingEntity, receipt: CalendarReceipt): void {
    meeting.provider = receipt.provider;
    meeting.providerRef = receipt.providerRef;
    meeting.url = receipt.url;
    meeting.conferencingUrl = receipt.conferencingUrl;
  }

  private booking(meeting: MeetingEntity, event: AnalyzedEvent): CalendarBooking {
    return {
      meetingId: meeting.id,
      title: meeting.title,
      description: `${meeting.whyScheduled}\n\n${meeting.agenda.map((point) => `- ${point}`).join('\n')}`,
      start: meeting.startAt,
      end: meeting.endAt,
      durationMinutes: meeting.durationMinutes,
      attendees: meeting.attendees,
      alertReference: meeting.alertId,
      organizer: this.settings.organizer,
      idempotencyKey: event.id,
    };
  }

  private render(meeting: MeetingEntity, method: InviteMethod): string {
    return renderInvite({
      uid: meeting.inviteUid,
      sequence: meeting.sequence,
      method,
      stamp: this.clock.now(),
      title: meeting.title,
      start: meeting.startAt,
      end: meeting.endAt,
      url: meeting.url,
      location: meeting.conferencingUrl ?? meeting.url,
      organizer: this.settings.organizer,
      attendees: meeting.attendees,
      why_scheduled: meeting.whyScheduled,
      agenda: meeting.agenda,
      pre_meeting_summary: meeting.preMeetingSummary,
      reminderMinutes: meeting.urgencyLevel === 'CRITICAL' ? 5 : 15,
    });
  }
}

function contextOf(
  data: AlertAnalyzedV1,
): Pick<MeetingEntity, 'title' | 'whyScheduled' | 'agenda' | 'preMeetingSummary' | 'rootCause' | 'compliance'> {
  return {
    title: data.meeting_context.title,
    whyScheduled: data.meeting_context.why_scheduled,
    agenda: data.meeting_context.discussion_points,
    preMeetingSummary: data.meeting_context.pre_meeting_summary,
    rootCause: data.root_cause.summary,
    compliance: data.compliance,
  };
}

function receiptOf(meeting: MeetingEntity): CalendarReceipt {
  return {
    provider: meeting.provider,
    providerRef: meeting.providerRef,
    url: meeting.url,
    conferencingUrl: meeting.conferencingUrl,
  };
}

/** Existing attendees first, then newcomers; one entry per email address, compared case-insensitively. */
export function mergeAttendees(current: MeetingAttendee[], incoming: Attendee[]): MeetingAttendee[] {
  const merged = new Map(current.map((attendee) => [attendee.email, attendee]));
  for (const attendee of incoming) {
    const email = attendee.email.trim().toLowerCase();
    if (!merged.has(email)) merged.set(email, { ...attendee, email, has_conflict: false });
  }
  return [...merged.values()];
}

function withConflicts(attendees: MeetingAttendee[], busyEmails: string[]): MeetingAttendee[] {
  const busy = new Set(busyEmails);
  return attendees.map((attendee) => ({ ...attendee, has_conflict: busy.has(attendee.email) }));
}

function extendAgenda(agenda: string[], data: AlertAnalyzedV1): string[] {
  const heading = `Related alert ${data.alert.alert_id} (${data.alert.alert_type} on ${data.alert.affected_systems.join(', ')}): ${data.alert.description}`;
  const points = data.meeting_context.discussion_points.filter((point) => !agenda.includes(point));
  return agenda.includes(heading) ? agenda : [...agenda, heading, ...points];
}
