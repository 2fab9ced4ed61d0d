import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '#libs/messaging';
import type { DataSource, EntityManager } from 'typeorm';
import { openTestServiceDatabase } from '../../../../test/support/database';
import { MeetingAlertEntity } from '../meetings/meeting-alert.entity';
import { MeetingEntity } from '../meetings/meeting.entity';
import { SCHEDULING_MIGRATIONS } from '../migrations';
import { DEFAULT_SCHEDULING_POLICY } from '../policy/scheduling-policy';
import { SchedulingSettings } from '../scheduling-settings';
import { attendee } from '../testing/analyzed-event.factory';
import { BuiltinCalendarProvider } from './builtin-calendar.provider';
import { BusyBlockEntity } from './busy-block.entity';
import type { CalendarBooking } from './calendar-provider';

const at = (time: string): Date => new Date(`2026-06-10T${time}:00Z`);

describe('BuiltinCalendarProvider.busy on PostgreSQL', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  const calendar = new BuiltinCalendarProvider(
    new SchedulingSettings(DEFAULT_SCHEDULING_POLICY, 'https://convene.test', { name: 'C', email: 'c@c.test' }, null),
  );

  beforeAll(async () => {
    database = await openTestServiceDatabase({
      service: 'scheduling',
      entities: [...MESSAGING_ENTITIES, MeetingEntity, MeetingAlertEntity, BusyBlockEntity],
      migrations: [...MESSAGING_MIGRATIONS, ...SCHEDULING_MIGRATIONS],
    });
  });

  afterAll(async () => {
    await database.close();
  });

  /**
   * Runs `body` in a transaction that is rolled back, so blocks may name meetings that do not exist
   * (the meeting foreign key is only checked at commit) and every test starts from no blocks.
   */
  async function withBlocks(
    blocks: [email: string, from: string, to: string, meetingId?: string][],
    body: (tx: EntityManager) => Promise<void>,
  ): Promise<void> {
    const runner = database.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query('DELETE FROM busy_blocks');
      for (const [email, from, to, meetingId] of blocks) {
        await runner.manager
          .getRepository(BusyBlockEntity)
          .insert({ email, startAt: at(from), endAt: at(to), meetingId: meetingId ?? null });
      }
      await body(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  const sorted = (intervals: { email: string; start: Date; end: Date }[]) =>
    intervals
      .map(
        ({ email, start, end }) => `${email} ${start.toISOString().slice(11, 16)}-${end.toISOString().slice(11, 16)}`,
      )
      .sort();

  it('merges one person’s overlapping and touching blocks into one stretch and keeps people apart', async () => {
    const blocks: [string, string, string, string?][] = [
      ...Array.from({ length: 200 }, (_, i): [string, string, string] => [
        'ada@x.test',
        '14:00',
        i % 2 ? '14:30' : '15:00',
      ]),
      ['ada@x.test', '15:00', '15:30'],
      ['ada@x.test', '16:00', '16:30'],
      ['bob@x.test', '14:15', '14:45'],
    ];
    await withBlocks(blocks, async (tx) => {
      const busy = await calendar.busy(tx, ['ada@x.test', 'bob@x.test'], at('13:00'), at('18:00'));
      expect(sorted(busy)).toEqual(['ada@x.test 14:00-15:30', 'ada@x.test 16:00-16:30', 'bob@x.test 14:15-14:45']);
    });
  });

  it('leaves out other people, blocks outside [from, to) and the blocks of the meeting being moved', async () => {
    const blocks: [string, string, string, string?][] = [
      ['ada@x.test', '09:00', '10:00'],
      ['ada@x.test', '10:00', '11:00', 'M-MOVING'],
      ['ada@x.test', '12:00', '13:00'],
      ['eve@x.test', '10:30', '11:30'],
    ];
    await withBlocks(blocks, async (tx) => {
      expect(sorted(await calendar.busy(tx, ['ada@x.test'], at('10:00'), at('12:00'), 'M-MOVING'))).toEqual([]);
      expect(sorted(await calendar.busy(tx, ['ada@x.test'], at('10:00'), at('12:00')))).toEqual([
        'ada@x.test 10:00-11:00',
      ]);
      expect(await calendar.busy(tx, [], at('00:00'), at('23:00'))).toEqual([]);
    });
  });

  it('gives the stretches a plain merge of the matching blocks gives, for many blocks on few times', async () => {
    let seed = 7;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * below);
    };
    const clock = (minutes: number): string =>
      `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    const people = ['ada@x.test', 'bob@x.test', 'cy@x.test'];
    // 400 blocks on 12 start times 40 minutes apart, so most times are held many times over, with
    // 10-minute gaps between them; and blocks of the meeting being moved, which must not count,
    // first in bob's order and alone in one of ada's gaps.
    const blocks: [string, string, string, string][] = [
      ...Array.from({ length: 400 }, (): [string, string, string, string] => {
        const start = 10 * 60 + 40 * random(12);
        return [people[random(3)], clock(start), clock(start + [15, 30][random(2)]), `M-${random(12)}`];
      }),
      ['bob@x.test', '09:55', '10:05', 'M-MOVING'],
      ['ada@x.test', '11:11', '11:19', 'M-MOVING'],
    ];
    const [from, to, except] = [10 * 60, 14 * 60, 'M-MOVING'];
    const expected: string[] = [];
    for (const email of ['ada@x.test', 'bob@x.test']) {
      const matching = blocks
        .filter(
          ([who, start, end, meeting]) => who === email && meeting !== except && end > clock(from) && start < clock(to),
        )
        .map(([, start, end]) => [start, end])
        .sort(([a], [b]) => a.localeCompare(b));
      // Overlapping and touching blocks join, as range_agg joins them.
      const stretches: string[][] = [];
      for (const [start, end] of matching) {
        const last = stretches.at(-1);
        if (last && start <= last[1]) last[1] = end > last[1] ? end : last[1];
        else stretches.push([start, end]);
      }
      expected.push(...stretches.map(([start, end]) => `${email} ${start}-${end}`));
    }
    await withBlocks(blocks, async (tx) => {
      const busy = await calendar.busy(tx, ['ada@x.test', 'bob@x.test'], at(clock(from)), at(clock(to)), except);
      expect(sorted(busy)).toEqual(expected.sort());
      expect(busy.length).toBeGreaterThan(6);
    });
  });

  it('replaces a meeting’s blocks when it is held again at another time with other people', async () => {
    await withBlocks([['eve@x.test', '09:00', '10:00']], async (tx) => {
      const booking = (start: string, end: string, emails: string[]): CalendarBooking => ({
        meetingId: 'M-HELD',
        title: 'Incident review',
        description: '',
        start: at(start),
        end: at(end),
        durationMinutes: 30,
        attendees: emails.map((email) => ({ ...attendee(email), has_conflict: false })),
        alertReference: 'A-1',
        organizer: { name: 'C', email: 'c@c.test' },
        idempotencyKey: 'event-1',
      });

      await calendar.holdTime(tx, booking('14:00', '14:30', ['ada@x.test', 'bob@x.test']));
      await calendar.holdTime(tx, booking('13:00', '13:30', ['ada@x.test', 'cy@x.test']));

      const busy = await calendar.busy(
        tx,
        ['ada@x.test', 'bob@x.test', 'cy@x.test', 'eve@x.test'],
        at('08:00'),
        at('18:00'),
      );
      expect(sorted(busy)).toEqual(['ada@x.test 13:00-13:30', 'cy@x.test 13:00-13:30', 'eve@x.test 09:00-10:00']);
    });
  });
});
