import type { MeetingSnapshotV1, Topic } from '#libs/contracts';
import {
  type ConveneEvent,
  decodeEvent,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  OutboxMessageEntity,
  TransactionalOutbox,
} from '#libs/messaging';
import ical, { type VEvent } from 'node-ical';
import type { DataSource } from 'typeorm';
import { openTestServiceDatabase } from '../../../../test/support/database';
import { BuiltinCalendarProvider } from '../calendar/builtin-calendar.provider';
import { BusyBlockEntity } from '../calendar/busy-block.entity';
import { SCHEDULING_MIGRATIONS } from '../migrations';
import { DEFAULT_SCHEDULING_POLICY } from '../policy/scheduling-policy';
import { SchedulingSettings } from '../scheduling-settings';
import type { Clock } from '../slots/clock';
import { analyzedEvent, attendee } from '../testing/analyzed-event.factory';
import { MeetingAlertEntity } from './meeting-alert.entity';
import { MEETING_ID_PATTERN } from './meeting-id';
import { MeetingScheduler } from './meeting-scheduler.service';
import { MeetingEntity } from './meeting.entity';
import { ScheduleMeetingWhenAlertAnalyzed } from './schedule-meeting-when-alert-analyzed.handler';

type MeetingEvent = ConveneEvent<'meeting.scheduled' | 'meeting.updated' | 'meeting.cancelled'>;

const MINUTE = 60_000;
// A Wednesday, 10:00 in New York: inside business hours.
const MORNING = Date.parse('2026-06-10T14:00:00Z');

describe('ScheduleMeetingWhenAlertAnalyzed on PostgreSQL with the transactional outbox', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let handler: ScheduleMeetingWhenAlertAnalyzed;
  let now: number;
  const clock: Clock = { now: () => new Date(now) };

  beforeAll(async () => {
    database = await openTestServiceDatabase({
      service: 'scheduling',
      entities: [...MESSAGING_ENTITIES, MeetingEntity, MeetingAlertEntity, BusyBlockEntity],
      migrations: [...MESSAGING_MIGRATIONS, ...SCHEDULING_MIGRATIONS],
    });
    const settings = new SchedulingSettings(
      DEFAULT_SCHEDULING_POLICY,
      'https://convene.test',
      { name: 'Convene', email: 'convene@convene.test' },
      null,
    );
    const calendar = new BuiltinCalendarProvider(settings);
    const scheduler = new MeetingScheduler(calendar, new TransactionalOutbox('scheduling'), settings, clock);
    handler = new ScheduleMeetingWhenAlertAnalyzed(scheduler, settings, clock);
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    now = MORNING;
    await database.dataSource.query('TRUNCATE busy_blocks, meeting_alerts, meetings, outbox');
  });

  const handle = (event: ConveneEvent<'alert.analyzed'>) =>
    database.dataSource.transaction((tx) => handler.handle(event, tx));

  async function published(): Promise<MeetingEvent[]> {
    const rows = await database.dataSource.getRepository(OutboxMessageEntity).find({ order: { position: 'ASC' } });
    return rows.map((row) => decodeEvent(row) as MeetingEvent);
  }

  async function busyFor(email: string, from: string, to: string): Promise<void> {
    await database.dataSource
      .getRepository(BusyBlockEntity)
      .insert({ email, startAt: new Date(from), endAt: new Date(to), meetingId: null });
  }

  function topics(events: MeetingEvent[]): Topic[] {
    return events.map((event) => event.topic);
  }

  it('books a new alert inside its window with a REQUEST invite, busy blocks and the trace id', async () => {
    const event = analyzedEvent({
      alertId: 'A-1',
      level: 'HIGH',
      receivedAt: new Date(MORNING),
      attendees: [attendee('ada@example.com'), attendee('bob@example.com')],
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });

    await handle(event);

    const [scheduled] = await published();
    const meeting = scheduled.data;
    expect(scheduled.topic).toBe('meeting.scheduled');
    expect(scheduled.subject).toBe('A-1');
    expect(meeting.meeting_id).toMatch(MEETING_ID_PATTERN);
    expect(meeting).toMatchObject({
      alert_id: 'A-1',
      alert_ids: ['A-1'],
      start: '2026-06-10T14:15:00.000Z',
      end: '2026-06-10T15:00:00.000Z',
      duration_minutes: 45,
      timezone: 'America/New_York',
      url: `https://convene.test/meetings/${meeting.meeting_id}`,
      provider: 'builtin',
      status: 'scheduled',
      outside_business_hours: false,
      invite: { uid: `${meeting.meeting_id}@convene.test`, sequence: 0, method: 'REQUEST' },
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(invite(meeting)).toMatchObject({ method: 'REQUEST', sequence: 0, start: meeting.start });
    const blocks = await database.dataSource.getRepository(BusyBlockEntity).findBy({ meetingId: meeting.meeting_id });
    expect(blocks.map((block) => block.email).sort()).toEqual(['ada@example.com', 'bob@example.com']);
  });

  it('moves an escalated meeting earlier, adds the new attendees and raises the sequence', async () => {
    await busyFor('ada@example.com', '2026-06-10T14:00:00Z', '2026-06-10T20:00:00Z');
    await handle(
      analyzedEvent({
        alertId: 'A-2',
        level: 'MEDIUM',
        receivedAt: new Date(MORNING),
        attendees: [attendee('ada@example.com')],
      }),
    );
    now = MORNING + 5 * MINUTE;

    await handle(
      analyzedEvent({
        alertId: 'A-2',
        level: 'CRITICAL',
        change: 'escalated',
        revision: 2,
        receivedAt: new Date(now),
        attendees: [attendee('ada@example.com'), attendee('boss@example.com', 'Management')],
      }),
    );

    const [scheduled, updated] = await published();
    expect(topics([scheduled, updated])).toEqual(['meeting.scheduled', 'meeting.updated']);
    expect(scheduled.data.start).toBe('2026-06-10T20:00:00.000Z');
    expect(updated.data).toMatchObject({
      meeting_id: scheduled.data.meeting_id,
      reason: 'escalated',
      start: '2026-06-10T14:10:00.000Z',
      duration_minutes: 60,
      urgency: { level: 'CRITICAL', score: 1 },
      invite: { uid: scheduled.data.invite.uid, sequence: 1, method: 'REQUEST' },
    });
    expect(updated.data.attendees.map(({ email, has_conflict }) => ({ email, has_conflict }))).toEqual([
      { email: 'ada@example.com', has_conflict: true },
      { email: 'boss@example.com', has_conflict: false },
    ]);
    expect(invite(updated.data)).toMatchObject({ method: 'REQUEST', sequence: 1, start: '2026-06-10T14:10:00.000Z' });
  });

  it('changes nothing for a repeated or older analysis of the same alert', async () => {
    await handle(analyzedEvent({ alertId: 'A-3', receivedAt: new Date(MORNING), revision: 1 }));
    const escalation = analyzedEvent({
      alertId: 'A-3',
      receivedAt: new Date(MORNING),
      revision: 2,
      level: 'CRITICAL',
      change: 'escalated',
      attendees: [attendee('boss@example.com', 'Management')],
    });
    await handle(escalation);
    const before = await database.dataSource.getRepository(MeetingEntity).findOneByOrFail({ alertId: 'A-3' });

    await handle({ ...escalation, id: 'redelivered-under-a-new-id' });
    await handle(analyzedEvent({ alertId: 'A-3', receivedAt: new Date(MORNING), revision: 1, change: 'escalated' }));

    const after = await database.dataSource.getRepository(MeetingEntity).findOneByOrFail({ alertId: 'A-3' });
    expect(topics(await published())).toEqual(['meeting.scheduled', 'meeting.updated']);
    expect(after).toEqual(before);
    expect(after.sequence).toBe(1);
    expect(await database.dataSource.getRepository(MeetingEntity).count()).toBe(1);
  });

  it('cancels a meeting that has not started when its alert is resolved', async () => {
    await handle(
      analyzedEvent({ alertId: 'A-4', receivedAt: new Date(MORNING), attendees: [attendee('ada@example.com')] }),
    );

    await handle(analyzedEvent({ alertId: 'A-4', receivedAt: new Date(MORNING), revision: 2, change: 'resolved' }));

    const [scheduled, cancelled] = await published();
    expect(cancelled.topic).toBe('meeting.cancelled');
    expect(cancelled.data).toMatchObject({
      meeting_id: scheduled.data.meeting_id,
      status: 'cancelled',
      reason: 'resolved',
      invite: { uid: scheduled.data.invite.uid, sequence: 1, method: 'CANCEL' },
    });
    expect(invite(cancelled.data)).toMatchObject({ method: 'CANCEL', sequence: 1, status: 'CANCELLED' });
    expect(
      await database.dataSource.getRepository(BusyBlockEntity).countBy({ meetingId: scheduled.data.meeting_id }),
    ).toBe(0);
  });

  it('leaves a meeting that has already started when its alert is resolved', async () => {
    await handle(analyzedEvent({ alertId: 'A-5', receivedAt: new Date(MORNING) }));
    now = MORNING + 20 * MINUTE;

    await handle(analyzedEvent({ alertId: 'A-5', receivedAt: new Date(now), revision: 2, change: 'resolved' }));

    expect(topics(await published())).toEqual(['meeting.scheduled']);
    const meeting = await database.dataSource.getRepository(MeetingEntity).findOneByOrFail({ alertId: 'A-5' });
    expect(meeting.status).toBe('scheduled');
  });

  it('joins a same-type alert on an overlapping system within the window to the open meeting', async () => {
    await handle(
      analyzedEvent({
        alertId: 'A-6',
        alertType: 'database_outage',
        systems: ['db-1', 'api'],
        receivedAt: new Date(MORNING),
        attendees: [attendee('ada@example.com')],
        discussionPoints: ['Restore the primary'],
      }),
    );
    now = MORNING + 10 * MINUTE;

    await handle(
      analyzedEvent({
        alertId: 'A-7',
        alertType: 'database_outage',
        systems: ['db-1'],
        receivedAt: new Date(now),
        attendees: [attendee('ada@example.com'), attendee('dba@example.com', 'DBA')],
        discussionPoints: ['Check replication lag'],
      }),
    );

    const [scheduled, correlated] = await published();
    expect(correlated.topic).toBe('meeting.updated');
    expect(correlated.data).toMatchObject({
      meeting_id: scheduled.data.meeting_id,
      reason: 'correlated',
      alert_id: 'A-6',
      alert_ids: ['A-6', 'A-7'],
      invite: { sequence: 1 },
    });
    expect(correlated.data.attendees.map((a) => a.email)).toEqual(['ada@example.com', 'dba@example.com']);
    expect(correlated.data.agenda[0]).toBe('Restore the primary');
    expect(correlated.data.agenda).toContain('Check replication lag');
    expect(correlated.data.agenda.some((point) => point.includes('A-7'))).toBe(true);
    expect(await database.dataSource.getRepository(MeetingEntity).count()).toBe(1);
    const link = await database.dataSource.getRepository(MeetingAlertEntity).findOneByOrFail({ alertId: 'A-7' });
    expect(link.meetingId).toBe(scheduled.data.meeting_id);
  });

  it('books separately for another alert type, disjoint systems, or an alert outside the correlation window', async () => {
    const base = { alertType: 'database_outage', systems: ['db-1'], receivedAt: new Date(MORNING) };
    await handle(analyzedEvent({ ...base, alertId: 'B-1' }));
    await handle(analyzedEvent({ ...base, alertId: 'B-2', alertType: 'security_incident' }));
    await handle(analyzedEvent({ ...base, alertId: 'B-3', systems: ['cache-9'] }));
    now = MORNING + 16 * MINUTE;
    await handle(analyzedEvent({ ...base, alertId: 'B-4', receivedAt: new Date(now) }));

    expect(topics(await published())).toEqual([
      'meeting.scheduled',
      'meeting.scheduled',
      'meeting.scheduled',
      'meeting.scheduled',
    ]);
  });

  it('keeps a correlated meeting while one of its alerts still fires, and cancels it when the last one resolves', async () => {
    const base = { alertType: 'database_outage', systems: ['db-1'], receivedAt: new Date(MORNING) };
    await handle(analyzedEvent({ ...base, alertId: 'C-1' }));
    await handle(analyzedEvent({ ...base, alertId: 'C-2' }));

    await handle(analyzedEvent({ ...base, alertId: 'C-1', change: 'resolved', revision: 2 }));
    const whileOneFires = topics(await published());
    await handle(analyzedEvent({ ...base, alertId: 'C-2', change: 'resolved', revision: 2 }));

    expect(whileOneFires).toEqual(['meeting.scheduled', 'meeting.updated']);
    expect(topics(await published())).toEqual(['meeting.scheduled', 'meeting.updated', 'meeting.cancelled']);
  });

  it('books nothing for an alert whose first news is its resolution', async () => {
    await handle(analyzedEvent({ alertId: 'R-0', change: 'resolved', revision: 1, receivedAt: new Date(MORNING) }));

    expect(await published()).toEqual([]);
    const link = await database.dataSource.getRepository(MeetingAlertEntity).findOneByOrFail({ alertId: 'R-0' });
    expect(link).toMatchObject({ meetingId: null, resolved: true });
  });

  it('books nothing when the urgency level only notifies', async () => {
    await handle(analyzedEvent({ alertId: 'D-1', level: 'LOW', booksMeeting: false, receivedAt: new Date(MORNING) }));

    expect(await published()).toEqual([]);
    const link = await database.dataSource.getRepository(MeetingAlertEntity).findOneByOrFail({ alertId: 'D-1' });
    expect(link.meetingId).toBeNull();
  });
});

/** The invite read back with an independent parser. */
function invite(snapshot: MeetingSnapshotV1): { method?: string; sequence: number; start: string; status?: string } {
  const parsed = ical.sync.parseICS(snapshot.invite_ics);
  const event = Object.values(parsed).find((component): component is VEvent => component?.type === 'VEVENT');
  if (!event) throw new Error('invite has no VEVENT');
  return {
    method: parsed.vcalendar?.method,
    sequence: Number(event.sequence),
    start: event.start.toISOString(),
    status: event.status,
  };
}
