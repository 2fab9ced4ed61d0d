import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPayloads, MeetingAttendee, NotificationOutcomeV1, Topic } from '#libs/contracts';
import {
  type ConveneEvent,
  decodeEvent,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  type EncodedOutboxRow,
  Outbox,
  PermanentError,
  TransactionalOutbox,
} from '#libs/messaging';
import { Test, type TestingModule } from '@nestjs/testing';
import { simpleParser } from 'mailparser';
import ical, { type VEvent } from 'node-ical';
import { DataSource, type EntityManager } from 'typeorm';
import { openTestServiceDatabase } from '../../../test/support/database';
import { stableMessageId } from './channels/email/email.sender';
import type { MeetingTopic } from './deliveries/delivery-planner.service';
import { Delivery } from './deliveries/delivery.entity';
import { DeliveryWorker } from './deliveries/delivery.worker';
import { SendCancellationsWhenMeetingCancelled } from './handlers/send-cancellations-when-meeting-cancelled.handler';
import { SendInvitesWhenMeetingScheduled } from './handlers/send-invites-when-meeting-scheduled.handler';
import { SendUpdatesWhenMeetingUpdated } from './handlers/send-updates-when-meeting-updated.handler';
import { NOTIFICATION_MIGRATIONS } from './migrations';
import type { NotificationSettings } from './notification.config';
import { NOTIFICATION_ENTITIES, notificationProviders } from './notification.module';
import { LocalHttpServer } from './testing/local-http.server';
import { LocalSmtpServer, type ReceivedMail } from './testing/local-smtp.server';
import { buildMeeting, meetingEvent, withChannels } from './testing/meeting.factory';

jest.setTimeout(30_000);

const API_KEY = 'chainsync-test-key';
const FAST_WORKER: NotificationSettings['worker'] = {
  pollIntervalMs: 25,
  batchSize: 20,
  maxAttempts: 3,
  backoffBaseMs: 20,
  backoffMaxMs: 80,
  leaseMs: 60_000,
  requestTimeoutMs: 2_000,
};

let database: { dataSource: DataSource; close(): Promise<void> };

beforeAll(async () => {
  database = await openTestServiceDatabase({
    service: 'notification',
    entities: [...MESSAGING_ENTITIES, ...NOTIFICATION_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, ...NOTIFICATION_MIGRATIONS],
  });
});

afterAll(async () => {
  await database?.close();
});

/**
 * The service's providers as the module wires them, on the test database, with the messaging
 * library's real outbox; no relay runs, so the events it recorded stay in the outbox table.
 */
async function compileService(
  settings: NotificationSettings,
  outbox: Outbox = new TransactionalOutbox('notification'),
): Promise<TestingModule> {
  return Test.createTestingModule({
    providers: [
      ...notificationProviders(settings),
      { provide: DataSource, useValue: database.dataSource },
      { provide: Outbox, useValue: outbox },
    ],
  }).compile();
}

class Service {
  constructor(private readonly moduleRef: TestingModule) {}

  get worker(): DeliveryWorker {
    return this.moduleRef.get(DeliveryWorker);
  }

  /** Delivers an event the way the messaging layer does: the handler runs inside a transaction. */
  async consume(event: ConveneEvent<MeetingTopic>): Promise<void> {
    const handler = this.handlerFor(event.topic);
    await database.dataSource.transaction((tx) => handler.handle(event, tx));
  }

  /** Runs the worker until no delivery is pending any more. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.worker.runOnce();
      const [row] = await database.dataSource.query<{ pending: number }[]>(
        "SELECT count(*)::int AS pending FROM deliveries WHERE status = 'pending'",
      );
      if (row?.pending === 0) return;
      await sleep(10);
    }
    throw new Error('deliveries still pending');
  }

  private handlerFor(topic: MeetingTopic): {
    handle(event: ConveneEvent<MeetingTopic>, tx: EntityManager): Promise<void>;
  } {
    switch (topic) {
      case 'meeting.scheduled':
        return this.moduleRef.get(SendInvitesWhenMeetingScheduled);
      case 'meeting.updated':
        return this.moduleRef.get(SendUpdatesWhenMeetingUpdated);
      case 'meeting.cancelled':
        return this.moduleRef.get(SendCancellationsWhenMeetingCancelled);
    }
  }
}

function deliveriesOf(meetingId: string): Promise<Delivery[]> {
  return database.dataSource
    .getRepository(Delivery)
    .find({ where: { meeting_id: meetingId }, order: { channel: 'ASC', recipient: 'ASC' } });
}

interface RecordedOutcome {
  topic: string;
  key: string;
  data: NotificationOutcomeV1;
}

/** The notification events committed to the outbox for a meeting, decoded and schema-checked. */
async function outcomesOf(meetingId: string): Promise<RecordedOutcome[]> {
  const rows = await database.dataSource.query<
    { topic: string; key: string; value: string; headers: Record<string, string> }[]
  >('SELECT topic, key, value, headers FROM outbox ORDER BY position');
  return rows
    .map((row) => ({ topic: row.topic, key: row.key, data: decodeEvent(row).data as NotificationOutcomeV1 }))
    .filter((outcome) => outcome.data.meeting_id === meetingId);
}

function calendarPart(mail: ReceivedMail): { method: string | undefined; uid: string; sequence: number | undefined } {
  const calendar = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!calendar) throw new Error('no text/calendar part');
  const parsed = ical.sync.parseICS(calendar.content.toString('utf8'));
  const event = Object.values(parsed).find((component) => component?.type === 'VEVENT') as VEvent;
  return { method: parsed.vcalendar?.method, uid: event.uid, sequence: event.sequence };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('notification over SMTP, Slack and ChainSync', () => {
  let smtp: LocalSmtpServer;
  let slack: LocalHttpServer;
  let chainsync: LocalHttpServer;
  let moduleRef: TestingModule;
  let service: Service;

  beforeAll(async () => {
    smtp = await LocalSmtpServer.start();
    slack = await LocalHttpServer.start();
    chainsync = await LocalHttpServer.start((request) => (request.method === 'POST' ? { id: 'comment-7' } : {}));
    moduleRef = await compileService(settingsFor(smtp, slack, chainsync));
    service = new Service(moduleRef);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await Promise.all([smtp?.stop(), slack?.stop(), chainsync?.stop()]);
  });

  beforeEach(() => {
    smtp.reset();
    slack.reset();
    chainsync.reset();
  });

  it('sends a scheduled meeting to every attendee with a REQUEST invite of the right UID and SEQUENCE', async () => {
    const meeting = buildMeeting({ invite: { uid: 'uid-scheduled@convene.test', sequence: 0, method: 'REQUEST' } });

    await service.consume(meetingEvent('meeting.scheduled', meeting));
    await service.drain();

    expect(
      smtp.received
        .map((m) => m.recipients)
        .flat()
        .sort(),
    ).toEqual(['dana@example.com', 'lee@example.com', 'sam@example.com']);
    for (const mail of smtp.received) {
      expect(mail.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
      expect(calendarPart(mail)).toEqual({ method: 'REQUEST', uid: 'uid-scheduled@convene.test', sequence: 0 });
      expect(mail.parsed.from?.value[0]?.address).toBe('convene@convene.test');
    }
    const [dana] = smtp.to('dana@example.com');
    if (!dana) throw new Error('no message to dana');
    expect(dana.parsed.messageId).toBe(
      stableMessageId({ ...meetingVersion(meeting, 'scheduled'), recipient: 'dana@example.com' }, 'convene.test'),
    );
    expect(dana.parsed.subject).toContain('[CRITICAL] Invitation: CRITICAL: security incident on payments-api');
    expect(dana.parsed.text).toContain('A leaked CI token with admin scope.');
    expect(dana.parsed.text).toContain('GDPR: Notify the authority');
    expect(dana.parsed.html).toContain('Privileged logins &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(dana.parsed.html).not.toContain('<script>');
  });

  it('posts the meeting to Slack as Block Kit with urgency, time, attendees and link', async () => {
    const meeting = buildMeeting();

    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['slack'])));
    await service.drain();

    expect(slack.requests).toHaveLength(1);
    const [post] = slack.requests;
    expect(post?.path).toBe('/services/T000/B000/secret');
    const body = post?.body as { text: string; blocks: { type: string; fields?: { text: string }[] }[] };
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: Invitation: CRITICAL: security incident on payments-api' },
    });
    const fields = body.blocks[1]?.fields?.map((f) => f.text) ?? [];
    expect(fields[0]).toBe('*Urgency*\nCRITICAL (score 1)');
    expect(fields[1]).toContain('Thu 3 Dec 2026, 11:00–12:00 Europe/Berlin (10:00–11:00 UTC)');
    expect(fields[2]).toContain('Sam &lt;b&gt;Okafor&lt;/b&gt; — Executive Sponsor');
    expect(fields[3]).toBe(`*Link*\n<${meeting.url}|Join the meeting>`);
  });

  it('tells ChainSync the meeting link and root cause with the API key', async () => {
    const meeting = buildMeeting({ alert_ids: ['alert-42', 'alert-43'] });

    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['chainsync'])));
    await service.drain();

    const calls = chainsync.requests.map((r) => `${r.method} ${r.path}`).sort();
    expect(calls).toEqual([
      'PATCH /api/alerts/alert-42',
      'PATCH /api/alerts/alert-43',
      'POST /api/alerts/alert-42/comments',
      'POST /api/alerts/alert-43/comments',
    ]);
    for (const request of chainsync.requests) expect(request.headers['x-api-key']).toBe(API_KEY);
    const patch = chainsync.requests.find((r) => r.method === 'PATCH')?.body as Record<string, string>;
    expect(patch.status).toBe('meeting_scheduled');
    expect(patch.meeting_url).toBe(meeting.url);
    expect(patch.note).toContain('3 attendees');
    const comment = chainsync.requests.find((r) => r.method === 'POST')?.body as { body: string };
    expect(comment.body).toContain('Root cause: A leaked CI token with admin scope.');
    expect(comment.body).toContain(`Meeting: ${meeting.url}`);
    const rows = await deliveriesOf(meeting.meeting_id);
    expect(rows.map((r) => [r.recipient, r.status, r.provider_message_id])).toEqual([
      ['alert-42', 'sent', 'comment-7'],
      ['alert-43', 'sent', 'comment-7'],
    ]);
  });

  it('records one sent delivery and one notification.delivered per message', async () => {
    const meeting = buildMeeting();

    await service.consume(meetingEvent('meeting.scheduled', meeting));
    await service.drain();

    const rows = await deliveriesOf(meeting.meeting_id);
    expect(rows.map((r) => [r.channel, r.recipient, r.status, r.attempts, r.meeting_sequence])).toEqual([
      ['chainsync', 'alert-42', 'sent', 1, 0],
      ['email', 'dana@example.com', 'sent', 1, 0],
      ['email', 'lee@example.com', 'sent', 1, 0],
      ['email', 'sam@example.com', 'sent', 1, 0],
      ['slack', 'webhook', 'sent', 1, 0],
    ]);
    const outcomes = await outcomesOf(meeting.meeting_id);
    expect(outcomes).toHaveLength(5);
    expect(outcomes.every((o) => o.topic === 'notification.delivered' && o.key === 'alert-42')).toBe(true);
    const lee = outcomes.find((o) => o.data.recipient === 'lee@example.com')?.data;
    expect(lee).toMatchObject({ channel: 'email', meeting_sequence: 0, attempts: 1, error: null });
    expect(lee?.provider_message_id).toMatch(/^<.+@convene\.test>$/);
  });

  it('sends no second copy when the same meeting version is delivered again', async () => {
    const meeting = buildMeeting();
    const event = meetingEvent('meeting.scheduled', meeting);
    await service.consume(event);
    await service.drain();
    const firstRound = {
      mails: smtp.received.length,
      slack: slack.requests.length,
      chainsync: chainsync.requests.length,
    };

    await service.consume(event);
    await service.consume(meetingEvent('meeting.scheduled', meeting));
    await service.drain();

    expect(firstRound).toEqual({ mails: 3, slack: 1, chainsync: 2 });
    expect(smtp.received).toHaveLength(3);
    expect(slack.requests).toHaveLength(1);
    expect(chainsync.requests).toHaveLength(2);
    expect(await deliveriesOf(meeting.meeting_id)).toHaveLength(5);
    expect(await outcomesOf(meeting.meeting_id)).toHaveLength(5);
  });

  it('retries a transient SMTP refusal and a Slack 503, and each recipient gets exactly one message', async () => {
    const meeting = buildMeeting();
    smtp.refuse('dana@example.com', 451, { times: 1, stage: 'data' });
    slack.answerWith(503);

    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['email', 'slack'])));
    await service.drain();

    expect(smtp.to('dana@example.com')).toHaveLength(1);
    expect(slack.requests).toHaveLength(2);
    const rows = await deliveriesOf(meeting.meeting_id);
    const dana = rows.find((r) => r.recipient === 'dana@example.com');
    const post = rows.find((r) => r.channel === 'slack');
    expect([dana?.status, dana?.attempts]).toEqual(['sent', 2]);
    expect([post?.status, post?.attempts]).toEqual(['sent', 2]);
    const outcomes = await outcomesOf(meeting.meeting_id);
    expect(outcomes.filter((o) => o.topic === 'notification.failed')).toEqual([]);
    expect(outcomes.filter((o) => o.data.recipient === 'dana@example.com')).toHaveLength(1);
  });

  it('records a permanent SMTP refusal and a ChainSync 404 as failed without retrying them', async () => {
    const meeting = buildMeeting();
    smtp.refuse('lee@example.com', 550);
    chainsync.answerWith(404);

    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['email', 'chainsync'])));
    await service.drain();
    await sleep(FAST_WORKER.backoffMaxMs * 2);
    await service.worker.runOnce();

    const rows = await deliveriesOf(meeting.meeting_id);
    const lee = rows.find((r) => r.recipient === 'lee@example.com');
    const alert = rows.find((r) => r.channel === 'chainsync');
    expect([lee?.status, lee?.attempts]).toEqual(['failed', 1]);
    expect(lee?.last_error).toMatch(/^SMTP\.550: SMTP 550/);
    expect([alert?.status, alert?.attempts, alert?.last_error]).toEqual([
      'failed',
      1,
      'HTTP.404: ChainSync alert update answered HTTP 404',
    ]);
    expect(chainsync.requests).toHaveLength(1);
    expect(smtp.to('lee@example.com')).toHaveLength(0);
    expect(smtp.received).toHaveLength(2);
    const failed = (await outcomesOf(meeting.meeting_id)).filter((o) => o.topic === 'notification.failed');
    expect(failed.map((o) => o.data.recipient).sort()).toEqual(['alert-42', 'lee@example.com']);
  });

  it('gives up after the retry budget and records the failure without the webhook URL', async () => {
    const meeting = buildMeeting();
    slack.answerWith(500, 500, 500, 500);

    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['slack'])));
    await service.drain();

    const [post] = await deliveriesOf(meeting.meeting_id);
    expect([post?.status, post?.attempts]).toEqual(['failed', FAST_WORKER.maxAttempts]);
    expect(post?.last_error).toBe('HTTP.500: Slack webhook answered HTTP 500');
    expect(slack.requests).toHaveLength(FAST_WORKER.maxAttempts);
    const outcomes = await outcomesOf(meeting.meeting_id);
    expect(outcomes.map((o) => [o.topic, o.data.attempts])).toEqual([['notification.failed', 3]]);
  });

  it('sends a cancellation with METHOD CANCEL and marks the ChainSync alert meeting_cancelled', async () => {
    const scheduled = buildMeeting({ invite: { uid: 'uid-cancel@convene.test', sequence: 0, method: 'REQUEST' } });
    await service.consume(meetingEvent('meeting.scheduled', scheduled));
    await service.drain();
    smtp.received.length = 0;
    chainsync.reset();
    const cancelled = buildMeeting({
      meeting_id: scheduled.meeting_id,
      status: 'cancelled',
      reason: 'alert resolved',
      invite: { uid: 'uid-cancel@convene.test', sequence: 1, method: 'CANCEL' },
    });

    await service.consume(meetingEvent('meeting.cancelled', cancelled));
    await service.drain();

    expect(smtp.received).toHaveLength(3);
    for (const mail of smtp.received) {
      expect(mail.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=CANCEL/i);
      expect(calendarPart(mail)).toEqual({ method: 'CANCEL', uid: 'uid-cancel@convene.test', sequence: 1 });
      expect(mail.parsed.subject).toMatch(/^\[CRITICAL\] Cancelled: /);
    }
    const patch = chainsync.requests.find((r) => r.method === 'PATCH')?.body as Record<string, string>;
    expect(patch.status).toBe('meeting_cancelled');
    expect(patch.note).toContain('alert resolved');
  });

  it('skips unsent messages of an older version once a newer version arrives', async () => {
    const first = buildMeeting({ invite: { uid: 'uid-update@convene.test', sequence: 0, method: 'REQUEST' } });
    const moved = buildMeeting({
      meeting_id: first.meeting_id,
      start: '2026-12-03T10:30:00Z',
      end: '2026-12-03T11:30:00Z',
      reason: 'escalated',
      invite: { uid: 'uid-update@convene.test', sequence: 1, method: 'REQUEST' },
    });

    await service.consume(meetingEvent('meeting.scheduled', withChannels(first, ['email'])));
    await service.consume(meetingEvent('meeting.updated', withChannels(moved, ['email'])));
    await service.consume(meetingEvent('meeting.scheduled', withChannels(first, ['email'])));
    await service.drain();

    expect(smtp.received).toHaveLength(3);
    expect(smtp.received.map((mail) => calendarPart(mail).sequence)).toEqual([1, 1, 1]);
    expect(smtp.received[0]?.parsed.subject).toContain('Updated invitation');
    const rows = await deliveriesOf(first.meeting_id);
    expect(rows.filter((r) => r.meeting_sequence === 0).map((r) => [r.status, r.last_error])).toEqual([
      ['skipped', 'superseded by version 1'],
      ['skipped', 'superseded by version 1'],
      ['skipped', 'superseded by version 1'],
    ]);
  });

  it('sends each message once when a restart falls between recording and sending and the event comes again', async () => {
    const meeting = buildMeeting();
    const event = meetingEvent('meeting.scheduled', withChannels(meeting, ['email']));
    await service.consume(event);
    await moduleRef.close();

    moduleRef = await compileService(settingsFor(smtp, slack, chainsync));
    service = new Service(moduleRef);
    await service.consume(event);
    await service.drain();

    expect(smtp.received.map((m) => m.recipients[0]).sort()).toEqual([
      'dana@example.com',
      'lee@example.com',
      'sam@example.com',
    ]);
    expect(await deliveriesOf(meeting.meeting_id)).toHaveLength(3);
  });

  it('sends again, with the same Message-ID, a message whose sender died before recording it', async () => {
    const meeting = buildMeeting();
    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['email'])));
    await service.drain();
    // What a crash after sending leaves behind: the claim (attempt counted, lease taken), no result.
    await database.dataSource.query(
      `UPDATE deliveries SET status = 'pending', attempts = 1, next_attempt_at = now() - interval '1 second'
        WHERE meeting_id = $1 AND recipient = 'dana@example.com'`,
      [meeting.meeting_id],
    );

    await service.drain();

    const copies = smtp.to('dana@example.com');
    expect(copies).toHaveLength(2);
    expect(copies[1]?.parsed.messageId).toBe(copies[0]?.parsed.messageId);
    const dana = (await deliveriesOf(meeting.meeting_id)).find((r) => r.recipient === 'dana@example.com');
    expect([dana?.status, dana?.attempts]).toEqual(['sent', 2]);
  });

  it('fails, without sending, a message whose sends never got recorded within the budget', async () => {
    const meeting = buildMeeting();
    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['slack'])));
    await database.dataSource.query('UPDATE deliveries SET attempts = $2 WHERE meeting_id = $1', [
      meeting.meeting_id,
      FAST_WORKER.maxAttempts,
    ]);

    await service.drain();

    const [post] = await deliveriesOf(meeting.meeting_id);
    expect([post?.status, post?.last_error]).toEqual([
      'failed',
      'NOTIFICATION.BUDGET_EXHAUSTED: no result recorded within the budget',
    ]);
    expect(slack.requests).toHaveLength(0);
  });

  it('sends each message once and records it once when two workers claim batches at the same time', async () => {
    const meeting = buildMeeting({ attendees: manyAttendees(12) });
    const smallBatches = { ...settingsFor(smtp, slack, chainsync), worker: { ...FAST_WORKER, batchSize: 4 } };
    const workers = [await compileService(smallBatches), await compileService(smallBatches)];
    const [first, second] = workers.map((ref) => new Service(ref));
    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['email'])));

    try {
      await Promise.all([first?.drain(), second?.drain()]);
    } finally {
      await Promise.all(workers.map((ref) => ref.close()));
    }

    const expected = manyAttendees(12)
      .map((a) => a.email)
      .sort();
    expect(smtp.received.map((m) => m.recipients[0]).sort()).toEqual(expected);
    const rows = await deliveriesOf(meeting.meeting_id);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(expected.map(() => ['sent', 1]));
    const outcomes = await outcomesOf(meeting.meeting_id);
    expect(outcomes.map((o) => o.data.recipient).sort()).toEqual(expected);
  });

  it.each([
    ['refuses to encode its event', () => new RefusingOutbox('lee@example.com')],
    ['writes an outbox row the database rejects', () => new BrokenRowOutbox('lee@example.com')],
  ])('records the rest of a batch when the outbox %s for one result, and resends that one later', async (_, outbox) => {
    const refusingRef = await compileService(settingsFor(smtp, slack, chainsync), outbox());
    const meeting = buildMeeting();
    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['email'])));

    try {
      await new Service(refusingRef).worker.runOnce();
    } finally {
      await refusingRef.close();
    }
    const afterBatch = await deliveriesOf(meeting.meeting_id);
    const outcomesAfterBatch = await outcomesOf(meeting.meeting_id);
    // What the lease running out does, without waiting for it.
    await database.dataSource.query(
      "UPDATE deliveries SET next_attempt_at = now() WHERE meeting_id = $1 AND status = 'pending'",
      [meeting.meeting_id],
    );
    await service.drain();

    expect(afterBatch.map((r) => [r.recipient, r.status, r.attempts])).toEqual([
      ['dana@example.com', 'sent', 1],
      ['lee@example.com', 'pending', 1],
      ['sam@example.com', 'sent', 1],
    ]);
    expect(outcomesAfterBatch.map((o) => o.data.recipient).sort()).toEqual(['dana@example.com', 'sam@example.com']);
    expect(smtp.to('lee@example.com')).toHaveLength(2);
    const lee = (await deliveriesOf(meeting.meeting_id)).find((r) => r.recipient === 'lee@example.com');
    expect([lee?.status, lee?.attempts]).toEqual(['sent', 2]);
    expect((await outcomesOf(meeting.meeting_id)).map((o) => o.data.recipient).sort()).toEqual([
      'dana@example.com',
      'lee@example.com',
      'sam@example.com',
    ]);
  });

  it('delivers on its own once the worker loop runs', async () => {
    const meeting = buildMeeting();
    await service.consume(meetingEvent('meeting.scheduled', withChannels(meeting, ['slack'])));

    service.worker.start();
    try {
      await waitFor(async () => (await deliveriesOf(meeting.meeting_id))[0]?.status === 'sent');
    } finally {
      await service.worker.stop();
    }

    expect(slack.requests).toHaveLength(1);
  });
});

describe('embedded mode without SMTP_URL, Slack webhook or ChainSync URL', () => {
  let outboxDir: string;
  let moduleRef: TestingModule;
  let service: Service;

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'convene-outbox-'));
    moduleRef = await compileService({
      smtpUrl: undefined,
      from: 'Convene <convene@localhost>',
      outboxDir,
      slackWebhookUrl: undefined,
      chainsyncApiUrl: undefined,
      chainsyncApiKey: undefined,
      worker: FAST_WORKER,
    });
    service = new Service(moduleRef);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  it('writes each email as an .eml file carrying the invite and records unconfigured channels as skipped', async () => {
    const meeting = buildMeeting({ invite: { uid: 'uid-embedded@convene.test', sequence: 2, method: 'REQUEST' } });

    await service.consume(meetingEvent('meeting.scheduled', meeting));
    await service.drain();

    const files = (await readdir(outboxDir)).sort();
    expect(files).toEqual([
      `${meeting.meeting_id}-v2-scheduled-dana@example.com.eml`,
      `${meeting.meeting_id}-v2-scheduled-lee@example.com.eml`,
      `${meeting.meeting_id}-v2-scheduled-sam@example.com.eml`,
    ]);
    const raw = await readFile(join(outboxDir, files[0] ?? ''), 'utf8');
    const parsed = await simpleParser(raw);
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    expect(calendarPart({ recipients: [], raw, parsed })).toEqual({
      method: 'REQUEST',
      uid: 'uid-embedded@convene.test',
      sequence: 2,
    });
    const rows = await deliveriesOf(meeting.meeting_id);
    expect(rows.map((r) => [r.channel, r.status, r.last_error])).toEqual([
      ['chainsync', 'skipped', 'CHAINSYNC_API_URL is not set'],
      ['email', 'sent', null],
      ['email', 'sent', null],
      ['email', 'sent', null],
      ['slack', 'skipped', 'SLACK_WEBHOOK_URL is not set'],
    ]);
    const outcomes = await outcomesOf(meeting.meeting_id);
    expect(outcomes.map((o) => o.data.channel)).toEqual(['email', 'email', 'email']);
  });

  it('creates the outbox directory again when it was removed after the first message', async () => {
    const first = buildMeeting();
    await service.consume(meetingEvent('meeting.scheduled', withChannels(first, ['email'])));
    await service.drain();
    await rm(outboxDir, { recursive: true, force: true });
    const second = buildMeeting();

    await service.consume(meetingEvent('meeting.scheduled', withChannels(second, ['email'])));
    await service.drain();

    const files = await readdir(outboxDir);
    expect(files.filter((file) => file.startsWith(second.meeting_id))).toHaveLength(3);
    const rows = await deliveriesOf(second.meeting_id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });
});

function settingsFor(smtp: LocalSmtpServer, slack: LocalHttpServer, chainsync: LocalHttpServer): NotificationSettings {
  return {
    smtpUrl: smtp.url,
    from: 'Convene <convene@convene.test>',
    outboxDir: join(tmpdir(), 'convene-unused-outbox'),
    slackWebhookUrl: `${slack.url}/services/T000/B000/secret`,
    chainsyncApiUrl: `${chainsync.url}/api`,
    chainsyncApiKey: API_KEY,
    worker: FAST_WORKER,
  };
}

/** An outbox that refuses the outcome event of one recipient, as it refuses an invalid payload. */
class RefusingOutbox extends TransactionalOutbox {
  constructor(private readonly refusedRecipient: string) {
    super('notification');
  }

  override encode<T extends Topic>(topic: T, data: EventPayloads[T], options: { key: string }): EncodedOutboxRow<T> {
    if ('recipient' in data && data.recipient === this.refusedRecipient) {
      throw new PermanentError('MESSAGING.INVALID_PAYLOAD', `refused the event for ${this.refusedRecipient}`);
    }
    return super.encode(topic, data, options);
  }
}

/** An outbox whose row for one recipient the database rejects, so the statement recording it fails. */
class BrokenRowOutbox extends TransactionalOutbox {
  constructor(private readonly brokenRecipient: string) {
    super('notification');
  }

  override encode<T extends Topic>(topic: T, data: EventPayloads[T], options: { key: string }): EncodedOutboxRow<T> {
    const encoded = super.encode(topic, data, options);
    if (!('recipient' in data) || data.recipient !== this.brokenRecipient) return encoded;
    const [, ...rest] = encoded.values;
    return { ...encoded, values: ['not-a-uuid', ...rest] };
  }
}

function manyAttendees(count: number): MeetingAttendee[] {
  return Array.from({ length: count }, (_, index) => ({
    role: 'Responder',
    name: `Responder ${index}`,
    email: `responder-${String(index).padStart(2, '0')}@example.com`,
    invited_by: 'alert_type' as const,
    has_conflict: false,
  }));
}

function meetingVersion(meeting: { meeting_id: string; invite: { sequence: number } }, kind: Delivery['event_kind']) {
  return { meeting_id: meeting.meeting_id, meeting_sequence: meeting.invite.sequence, event_kind: kind };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error('condition not met in time');
}
