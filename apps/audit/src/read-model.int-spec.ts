import { Logger } from '@nestjs/common';
import type { ConveneEvent } from '#libs/messaging';
import type { DataSource } from 'typeorm';
import { openTestServiceDatabase } from '../../../test/support/database';
import { AUDIT_MIGRATIONS } from './migrations';
import {
  alertAnalyzed,
  alertReceived,
  aMeeting,
  anAlert,
  meetingCancelled,
  meetingScheduled,
  meetingUpdated,
  newTraceparent,
  notificationOutcome,
} from './testing/audit-events.factory';
import { auditHarness } from './testing/audit-harness';

type Database = { dataSource: DataSource; close(): Promise<void> };
type Row = Record<string, unknown>;

/**
 * Three alerts told by four services: A is escalated and its meeting updated, B only notifies,
 * C is resolved and its meeting cancelled. Events are listed in the order the system produces them.
 */
function scenario(): {
  events: ConveneEvent[];
  ids: { a: string; b: string; c: string; meetingA: string; meetingC: string };
} {
  const a1 = anAlert({ severity: 'high', detected_at: '2026-12-03T09:00:00.000Z' });
  const a2 = { ...a1, severity: 'critical' as const };
  const b = anAlert({ alert_type: 'capacity_warning', severity: 'low' });
  const c1 = anAlert({ alert_type: 'system_failure' });
  const c2 = { ...c1, status: 'resolved' as const };
  const traceA1 = newTraceparent('1'.repeat(32));
  const traceA2 = newTraceparent('2'.repeat(32));
  // Both events of one alert revision belong to the trace of the webhook delivery that caused them.
  const traceB = newTraceparent();
  const traceC = newTraceparent();
  const meetingA0 = aMeeting(a1.alert_id, { urgency: { level: 'HIGH', score: 0.8 } });
  const meetingA1 = {
    ...meetingA0,
    urgency: { level: 'CRITICAL' as const, score: 1 },
    invite: { ...meetingA0.invite, sequence: 1 },
  };
  const meetingC0 = aMeeting(c1.alert_id);
  const meetingC1 = { ...meetingC0, invite: { ...meetingC0.invite, sequence: 1 } };

  const events: ConveneEvent[] = [
    alertReceived(a1, { revision: 1, received_at: '2026-12-03T09:00:05.000Z', traceparent: traceA1 }),
    alertAnalyzed(a1, {
      revision: 1,
      received_at: '2026-12-03T09:00:05.000Z',
      level: 'HIGH',
      score: 0.8,
      traceparent: traceA1,
    }),
    meetingScheduled(meetingA0, '2026-12-03T09:00:10.000Z'),
    notificationOutcome('notification.failed', meetingA0),
    alertReceived(b, { received_at: '2026-12-03T09:01:00.000Z', traceparent: traceB }),
    alertAnalyzed(b, {
      received_at: '2026-12-03T09:01:00.000Z',
      level: 'LOW',
      score: 0.3,
      books_meeting: false,
      traceparent: traceB,
    }),
    alertReceived(a2, { revision: 2, received_at: '2026-12-03T09:05:00.000Z', traceparent: traceA2 }),
    alertAnalyzed(a2, {
      revision: 2,
      received_at: '2026-12-03T09:05:00.000Z',
      violations: { 'PCI-DSS': ['3.4 cardholder data exposed'] },
      traceparent: traceA2,
    }),
    meetingUpdated(meetingA1),
    notificationOutcome('notification.delivered', meetingA1),
    alertReceived(c1, { received_at: '2026-12-03T09:10:00.000Z', traceparent: traceC }),
    alertAnalyzed(c1, { received_at: '2026-12-03T09:10:00.000Z', traceparent: traceC }),
    meetingScheduled(meetingC0, '2026-12-03T09:10:10.000Z'),
    alertReceived(c2, { revision: 2, received_at: '2026-12-03T09:20:00.000Z' }),
    meetingCancelled(meetingC1),
  ];
  return {
    events,
    ids: {
      a: a1.alert_id,
      b: b.alert_id,
      c: c1.alert_id,
      meetingA: meetingA0.meeting_id,
      meetingC: meetingC0.meeting_id,
    },
  };
}

/** Newest-first per topic family, with every third event delivered twice: the worst a bus may do. */
function scrambled(events: ConveneEvent[]): ConveneEvent[] {
  const order = ['meeting.', 'notification.', 'alert.analyzed', 'alert.received'];
  const reordered = order.flatMap((prefix) => events.filter((event) => event.topic.startsWith(prefix)).reverse());
  return reordered.flatMap((event, index) => (index % 3 === 0 ? [event, event] : [event]));
}

async function views(dataSource: DataSource, options: { withUpdatedAt: boolean }): Promise<Record<string, Row[]>> {
  const strip = (rows: Row[]): Row[] =>
    rows.map(({ updated_at, ...row }) => (options.withUpdatedAt ? { ...row, updated_at } : row));
  return {
    alerts: strip(await dataSource.query('SELECT * FROM alerts_view ORDER BY alert_id')),
    meetings: strip(await dataSource.query('SELECT * FROM meetings_view ORDER BY meeting_id')),
    notifications: await dataSource.query(
      'SELECT * FROM meeting_notifications_view ORDER BY meeting_id, channel, recipient',
    ),
  };
}

describe('read models on PostgreSQL', () => {
  const databases: Database[] = [];

  beforeAll(() => {
    Logger.overrideLogger(['error', 'warn']);
  });

  async function freshDatabase(): Promise<DataSource> {
    const database = await openTestServiceDatabase({ service: 'audit', entities: [], migrations: AUDIT_MIGRATIONS });
    databases.push(database);
    return database.dataSource;
  }

  afterEach(async () => {
    await Promise.all(databases.splice(0).map((database) => database.close()));
  });

  it('ends each alert and meeting in its latest state when the topics arrive in order', async () => {
    const dataSource = await freshDatabase();
    const { events, ids } = scenario();

    await auditHarness(dataSource).deliverAll(events);

    const { alerts, meetings } = await views(dataSource, { withUpdatedAt: false });
    const alertA = alerts.find((row) => row.alert_id === ids.a);
    expect(alertA).toMatchObject({
      severity: 'critical',
      alert_revision: 2,
      analysis_revision: 2,
      urgency_level: 'CRITICAL',
      compliance_status: 'violation_detected',
      compliance_violations: [{ framework: 'PCI-DSS', violation: '3.4 cardholder data exposed' }],
      meeting_created: true,
      meeting_id: ids.meetingA,
      meeting_status: 'scheduled',
      meeting_sequence: 1,
      trace_id: '2'.repeat(32),
      created_at: new Date('2026-12-03T09:00:05.000Z'),
      detected_at: new Date('2026-12-03T09:00:00.000Z'),
    });
    expect(alerts.find((row) => row.alert_id === ids.b)).toMatchObject({
      meeting_created: false,
      books_meeting: false,
    });
    expect(alerts.find((row) => row.alert_id === ids.c)).toMatchObject({
      status: 'resolved',
      meeting_status: 'cancelled',
    });
    expect(meetings.find((row) => row.meeting_id === ids.meetingA)).toMatchObject({
      urgency_level: 'CRITICAL',
      sequence: 1,
      change_reason: 'escalated',
      created_at: new Date('2026-12-03T09:00:10.000Z'),
    });
    expect(meetings.find((row) => row.meeting_id === ids.meetingC)).toMatchObject({ status: 'cancelled', sequence: 1 });
  });

  it('reaches the same views when topics arrive newest first and some events twice', async () => {
    const inOrder = await freshDatabase();
    const outOfOrder = await freshDatabase();
    const { events } = scenario();

    await auditHarness(inOrder).deliverAll(events);
    await auditHarness(outOfOrder).deliverAll(scrambled(events));

    const expected = await views(inOrder, { withUpdatedAt: false });
    expect(expected.alerts).toHaveLength(3);
    expect(expected.notifications).toEqual([expect.objectContaining({ outcome: 'delivered', meeting_sequence: 1 })]);
    expect(await views(outOfOrder, { withUpdatedAt: false })).toEqual(expected);
    expect(await outOfOrder.query('SELECT count(*)::int AS n FROM audit_log')).toEqual([{ n: events.length }]);
  });

  it('keeps a meeting that arrived before its alert once the alert follows', async () => {
    const dataSource = await freshDatabase();
    const alert = anAlert();
    const meeting = aMeeting(alert.alert_id);

    await auditHarness(dataSource).deliverAll([meetingScheduled(meeting), alertAnalyzed(alert), alertReceived(alert)]);

    const [row] = await dataSource.query<Row[]>('SELECT * FROM alerts_view');
    expect(row).toMatchObject({
      alert_type: 'security_incident',
      meeting_created: true,
      meeting_id: meeting.meeting_id,
    });
    expect(row.processed_at).toBeInstanceOf(Date);
  });

  it('marks every alert a correlated meeting covers as having that meeting', async () => {
    const dataSource = await freshDatabase();
    const [first, second] = [anAlert(), anAlert({ alert_type: 'system_failure' })];
    const meeting = aMeeting(first.alert_id);
    const grown = {
      ...meeting,
      alert_ids: [first.alert_id, second.alert_id],
      invite: { ...meeting.invite, sequence: 1 },
    };

    await auditHarness(dataSource).deliverAll([
      alertReceived(first),
      meetingScheduled(meeting),
      alertReceived(second),
      meetingUpdated(grown, 'correlated'),
    ]);

    for (const alert of [first, second]) {
      const rows = await dataSource.query<Row[]>(
        'SELECT meeting_id, meeting_sequence FROM alerts_view WHERE alert_id = $1',
        [alert.alert_id],
      );
      expect(rows).toEqual([{ meeting_id: meeting.meeting_id, meeting_sequence: 1 }]);
    }
  });

  it('rebuilds identical views from the log alone', async () => {
    const dataSource = await freshDatabase();
    const audit = auditHarness(dataSource);
    const { events } = scenario();
    await audit.deliverAll(scrambled(events));
    const before = await views(dataSource, { withUpdatedAt: true });
    await dataSource.query(`UPDATE alerts_view SET severity = 'low'`);
    await dataSource.query('DELETE FROM meetings_view');

    const replayed = await audit.replay.rebuild(dataSource);

    expect(replayed).toBe(events.length);
    expect(await views(dataSource, { withUpdatedAt: true })).toEqual(before);
  });
});
