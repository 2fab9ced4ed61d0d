import type { DataSource, EntityManager } from 'typeorm';
import { openTestServiceDatabase } from '../../../../test/support/database';
import { SCHEDULING_MIGRATIONS } from '../migrations';
import { DEFAULT_SCHEDULING_POLICY } from '../policy/scheduling-policy';
import { SchedulingSettings, type SlotifySettings } from '../scheduling-settings';
import type { Clock } from '../slots/clock';
import { FakeSlotify } from '../testing/fake-slotify.server';
import { MeetingAlertEntity } from '../meetings/meeting-alert.entity';
import { MeetingEntity } from '../meetings/meeting.entity';
import { BuiltinCalendarProvider } from './builtin-calendar.provider';
import { BusyBlockEntity } from './busy-block.entity';
import type { CalendarBooking } from './calendar-provider';
import { CircuitBreaker } from './circuit-breaker';
import { SlotifyCalendarProvider } from './slotify-calendar.provider';
import { SlotifyClient } from './slotify.client';

const API_KEY = 'slotify-test-key';

describe('SlotifyCalendarProvider against a local Slotify', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let slotify: FakeSlotify;
  let slotifySettings: SlotifySettings;
  let builtin: BuiltinCalendarProvider;
  let now: number;
  const clock: Clock = { now: () => new Date(now) };

  beforeAll(async () => {
    database = await openTestServiceDatabase({
      service: 'scheduling',
      entities: [MeetingEntity, MeetingAlertEntity, BusyBlockEntity],
      migrations: SCHEDULING_MIGRATIONS,
    });
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    now = Date.parse('2026-06-10T14:00:00Z');
    slotify = new FakeSlotify(API_KEY);
    const url = await slotify.start();
    slotifySettings = {
      url,
      apiKey: API_KEY,
      timeoutMs: 300,
      retries: 2,
      backoffMs: 10,
      breakerThreshold: 2,
      breakerCooldownMs: 60_000,
    };
    const settings = new SchedulingSettings(
      { ...DEFAULT_SCHEDULING_POLICY, conferencingLinkTemplate: 'https://meet.test/{meeting_id}' },
      'https://convene.test',
      { name: 'Convene', email: 'convene@convene.test' },
      slotifySettings,
    );
    builtin = new BuiltinCalendarProvider(settings);
  });

  afterEach(async () => {
    await slotify.stop();
  });

  function provider(): SlotifyCalendarProvider {
    const breaker = new CircuitBreaker(slotifySettings.breakerThreshold, slotifySettings.breakerCooldownMs, clock);
    return new SlotifyCalendarProvider(new SlotifyClient(slotifySettings), breaker, builtin);
  }

  /** Runs the work in a transaction that is rolled back, since the meeting rows the blocks point to are not written here. */
  async function inTransaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const runner = database.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      return await work(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('books one meeting when the first attempt fails with 500 after Slotify stored it (idempotency key honoured)', async () => {
    slotify.willAnswer({ status: 500, commit: true });

    const receipt = await inTransaction((tx) => provider().book(tx, booking('mtg_one', 'event-1')));

    expect(receipt).toEqual({
      provider: 'slotify',
      providerRef: 'SLT-1',
      url: 'https://slotify.test/m/SLT-1',
      conferencingUrl: 'https://slotify.test/m/SLT-1',
    });
    expect(slotify.meetings.size).toBe(1);
    expect(slotify.requests).toHaveLength(2);
    expect(new Set(slotify.requests.map((r) => r.idempotencyKey))).toEqual(new Set(['event-1:book']));
    expect(slotify.requests.every((r) => r.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(slotify.requests[0].body).toMatchObject({
      title: 'Incident review',
      scheduled_time: '2026-06-10T14:30:00.000Z',
      duration_minutes: 30,
      alert_reference: 'ALERT-1',
      organizer: 'convene@convene.test',
      attendees: [{ name: 'Ada', email: 'ada@example.com', role: 'Security Lead' }],
    });
  });

  it('does not retry a 400 and falls back to the built-in calendar', async () => {
    slotify.willAnswer({ status: 400 });

    const { receipt, blocks } = await inTransaction(async (tx) => ({
      receipt: await provider().book(tx, booking('mtg_two', 'event-2')),
      blocks: await tx.getRepository(BusyBlockEntity).findBy({ meetingId: 'mtg_two' }),
    }));

    expect(slotify.requests).toHaveLength(1);
    expect(receipt).toEqual({
      provider: 'builtin',
      providerRef: null,
      url: 'https://convene.test/meetings/mtg_two',
      conferencingUrl: 'https://meet.test/mtg_two',
    });
    expect(blocks.map((b) => b.email)).toEqual(['ada@example.com']);
  });

  it('gives up on a Slotify slower than the timeout and books in the built-in calendar', async () => {
    slotify.willAnswer({ delayMs: 1_500 }, { delayMs: 1_500 }, { delayMs: 1_500 });
    const started = Date.now();

    const receipt = await inTransaction((tx) => provider().book(tx, booking('mtg_three', 'event-3')));

    expect(receipt.provider).toBe('builtin');
    expect(receipt.url).toBe('https://convene.test/meetings/mtg_three');
    expect(slotify.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops calling Slotify once the circuit opens and calls again after the cooldown', async () => {
    const calendar = provider();
    slotify.willAnswer(...Array.from({ length: 6 }, () => ({ status: 503 })));
    const bookAs = (id: string) => inTransaction((tx) => calendar.book(tx, booking(id, `event-${id}`)));

    const failed = [await bookAs('mtg_a'), await bookAs('mtg_b')];
    const callsBeforeOpen = slotify.requests.length;
    const whileOpen = await bookAs('mtg_c');
    const callsWhileOpen = slotify.requests.length - callsBeforeOpen;
    now += slotifySettings.breakerCooldownMs;
    const afterCooldown = await bookAs('mtg_d');

    expect(failed.map((receipt) => receipt.provider)).toEqual(['builtin', 'builtin']);
    expect(callsBeforeOpen).toBe(6);
    expect(whileOpen.provider).toBe('builtin');
    expect(callsWhileOpen).toBe(0);
    expect(afterCooldown.provider).toBe('slotify');
  });

  it('moves and cancels a Slotify meeting with PATCH and POST …/cancel', async () => {
    const calendar = provider();
    const original = booking('mtg_seven', 'event-7');

    await inTransaction(async (tx) => {
      const receipt = await calendar.book(tx, original);
      const moved = { ...original, start: new Date('2026-06-10T14:10:00Z'), idempotencyKey: 'event-8' };
      await calendar.reschedule(tx, moved, receipt);
      await calendar.cancel(tx, { ...moved, idempotencyKey: 'event-9' }, receipt);
    });

    expect(slotify.requests.map((r) => `${r.method} ${r.path} ${r.idempotencyKey}`)).toEqual([
      'POST /meetings event-7:book',
      'PATCH /meetings/SLT-1 event-8:reschedule',
      'POST /meetings/SLT-1/cancel event-9:cancel',
    ]);
    expect(slotify.meetings.get('SLT-1')).toMatchObject({
      cancelled: true,
      body: { scheduled_time: '2026-06-10T14:10:00.000Z' },
    });
  });
});

function booking(meetingId: string, idempotencyKey: string): CalendarBooking {
  return {
    meetingId,
    title: 'Incident review',
    description: 'Why and what',
    start: new Date('2026-06-10T14:30:00Z'),
    end: new Date('2026-06-10T15:00:00Z'),
    durationMinutes: 30,
    attendees: [
      {
        role: 'Security Lead',
        name: 'Ada',
        email: 'ada@example.com',
        invited_by: 'alert_type',
        has_conflict: false,
      },
    ],
    alertReference: 'ALERT-1',
    organizer: { name: 'Convene', email: 'convene@convene.test' },
    idempotencyKey,
  };
}
