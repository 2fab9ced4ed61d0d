import { Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Severity } from '#libs/contracts';
import type { ConveneEvent } from '#libs/messaging';
import { DataSource } from 'typeorm';
import { openTestServiceDatabase } from '../../../test/support/database';
import { AuditLogService } from './audit-log.service';
import { AuditQueryController } from './audit-query.controller';
import { parseAlertListQuery, parseMeetingListQuery, type Page } from './audit-query.dto';
import { AuditQueryException } from './audit-query.exception';
import { AuditQueryService } from './audit-query.service';
import type { AlertJson } from './audit-response.dto';
import { AUDIT_MIGRATIONS } from './migrations';
import {
  alertAnalyzed,
  alertReceived,
  aMeeting,
  anAlert,
  meetingScheduled,
  newTraceparent,
  notificationOutcome,
} from './testing/audit-events.factory';
import { auditHarness } from './testing/audit-harness';

const SEVERITY_CYCLE: Severity[] = ['critical', 'high', 'medium', 'low'];
const TYPE_CYCLE = ['security_incident', 'system_failure', 'capacity_warning'];
const ALERTS = 30;
const MINUTE = 60_000;

interface Seeded {
  alertIds: string[];
  meetingIds: string[];
  resolvedId: string;
}

/**
 * 30 alerts received a minute apart (two of them in the same millisecond, to exercise the tie
 * break), every fourth with a meeting, the first critical one resolved.
 */
async function seed(deliver: (events: ConveneEvent[]) => Promise<void>, now: number): Promise<Seeded> {
  const seeded: Seeded = { alertIds: [], meetingIds: [], resolvedId: '' };
  for (let i = 0; i < ALERTS; i++) {
    const received_at = new Date(now - (i === 11 ? 10 : i) * MINUTE - MINUTE).toISOString();
    const severity = SEVERITY_CYCLE[i % 4];
    const alert = anAlert({
      alert_id: `ALERT-${String(i).padStart(3, '0')}`,
      severity,
      alert_type: TYPE_CYCLE[i % 3],
      status: i === 4 ? 'resolved' : 'firing',
    });
    const violations: Record<string, string[]> =
      i % 5 === 0 ? { 'PCI-DSS': ['3.4'], SOC2: ['CC7.2'] } : i % 5 === 1 ? { 'PCI-DSS': ['10.2'] } : {};
    const traceparent = newTraceparent();
    const events: ConveneEvent[] = [
      alertReceived(alert, { received_at, traceparent }),
      alertAnalyzed(alert, { received_at, traceparent, violations, score: 1 - (i % 4) * 0.2 }),
    ];
    if (i % 4 === 0) {
      const meeting = aMeeting(alert.alert_id, {
        meeting_id: `MTG-${String(i).padStart(3, '0')}`,
        urgency: { level: i % 8 === 0 ? 'CRITICAL' : 'HIGH', score: i % 8 === 0 ? 1 : 0.7 },
        start: new Date(now + (i + 1) * 10 * MINUTE).toISOString(),
      });
      events.push(meetingScheduled(meeting, received_at), notificationOutcome('notification.delivered', meeting));
      seeded.meetingIds.push(meeting.meeting_id);
    }
    if (i === 4) seeded.resolvedId = alert.alert_id;
    seeded.alertIds.push(alert.alert_id);
    await deliver(events);
  }
  return seeded;
}

function caught(attempt: () => unknown): unknown {
  try {
    attempt();
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the attempt to throw');
}

describe('AuditQueryService on PostgreSQL', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let queries: AuditQueryService;
  let seeded: Seeded;

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    database = await openTestServiceDatabase({ service: 'audit', entities: [], migrations: AUDIT_MIGRATIONS });
    const audit = auditHarness(database.dataSource);
    queries = audit.queries;
    seeded = await seed(audit.deliverAll, Date.now());
  });

  afterAll(async () => {
    await database.close();
  });

  async function walk(raw: Record<string, string>): Promise<AlertJson[]> {
    const seen: AlertJson[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<AlertJson> = await queries.recentAlerts(
        parseAlertListQuery({ ...raw, ...(cursor ? { cursor } : {}) }),
      );
      expect(page.items.length).toBeLessThanOrEqual(Number(raw.limit));
      seen.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return seen;
  }

  describe('recentAlerts', () => {
    it('walks every alert exactly once, newest first, page by page', async () => {
      const walked = await walk({ limit: '7' });

      const ids = walked.map((alert) => alert.alert_id);
      expect(ids).toHaveLength(ALERTS);
      expect(new Set(ids).size).toBe(ALERTS);
      const keys = walked.map((alert) => `${alert.created_at}|${alert.alert_id}`);
      expect(keys).toEqual([...keys].sort().reverse());
    });

    it('returns the default page of 20 with a cursor when more remain', async () => {
      const page = await queries.recentAlerts(parseAlertListQuery({}));

      expect(page.items).toHaveLength(20);
      expect(page.items[0].alert_id).toBe('ALERT-000');
      expect(page.next_cursor).toEqual(expect.any(String));
    });

    it('filters by severity across pages', async () => {
      const walked = await walk({ limit: '3', severity: 'high' });

      expect(walked.map((alert) => alert.alert_id)).toEqual(
        seeded.alertIds.filter((_, i) => SEVERITY_CYCLE[i % 4] === 'high'),
      );
    });

    it('combines type, status and time window filters', async () => {
      const resolved = await queries.recentAlerts(parseAlertListQuery({ status: 'resolved' }));
      expect(resolved.items.map((alert) => alert.alert_id)).toEqual([seeded.resolvedId]);

      const typed = await queries.recentAlerts(parseAlertListQuery({ alert_type: 'system_failure', limit: '100' }));
      expect(typed.items).toHaveLength(10);
      expect(typed.items.every((alert) => alert.alert_type === 'system_failure')).toBe(true);

      const newest = await queries.recentAlerts(parseAlertListQuery({ limit: '100' }));
      const window = await queries.recentAlerts(
        parseAlertListQuery({ from: newest.items[5].created_at, to: newest.items[1].created_at, limit: '100' }),
      );
      expect(window.items.map((alert) => alert.alert_id)).toEqual(
        newest.items.slice(2, 6).map((alert) => alert.alert_id),
      );
    });
  });

  describe('recentMeetings', () => {
    it('filters by status and by urgency given in any case', async () => {
      const critical = await queries.recentMeetings(
        parseMeetingListQuery({ urgency: 'critical', status: 'scheduled' }),
      );

      expect(critical.items.map((meeting) => meeting.meeting_id)).toEqual(['MTG-000', 'MTG-008', 'MTG-016', 'MTG-024']);
      expect(critical.next_cursor).toBeNull();
    });

    it('pages through every meeting', async () => {
      const first = await queries.recentMeetings(parseMeetingListQuery({ limit: '5' }));
      const second = await queries.recentMeetings(
        parseMeetingListQuery({ limit: '5', cursor: first.next_cursor ?? '' }),
      );

      expect([...first.items, ...second.items].map((meeting) => meeting.meeting_id)).toEqual(seeded.meetingIds);
      expect(second.next_cursor).toBeNull();
    });
  });

  it('rejects limits outside 1..100, unknown enum values and undecodable cursors, naming each parameter', () => {
    const attempt = (): unknown =>
      parseAlertListQuery({ limit: '101', severity: 'urgent', cursor: 'not-a-cursor', from: 'yesterday' });

    expect(attempt).toThrow(AuditQueryException);
    expect(caught(attempt)).toMatchObject({
      code: 'AUDIT.QUERY_INVALID',
      fields: ['limit', 'cursor', 'severity', 'from'],
    });
    expect(caught(() => parseMeetingListQuery({ limit: '0' }))).toMatchObject({ fields: ['limit'] });
  });

  it('returns an alert with its timeline of events, services and trace ids', async () => {
    const alert = await queries.alert('ALERT-008');

    expect(alert).toMatchObject({ alert_id: 'ALERT-008', meeting_created: true, meeting_id: 'MTG-008' });
    expect(alert?.timeline.map((entry) => [entry.topic, entry.service])).toEqual([
      ['alert.received', 'gateway'],
      ['alert.analyzed', 'analysis'],
      ['meeting.scheduled', 'scheduling'],
      ['notification.delivered', 'notification'],
    ]);
    expect(alert?.timeline[0].trace_id).toBe(alert?.trace_id);
    expect(await queries.alert('ALERT-404')).toBeNull();
  });

  it('says which engine wrote each part of the latest analysis', async () => {
    const alert = await queries.alert('ALERT-008');

    expect(alert?.analysis_agents).toEqual([
      { agent: 'root_cause', source: 'llm', model: 'gpt-4o-mini', fallback_reason: null },
      { agent: 'compliance', source: 'template', model: null, fallback_reason: 'timeout' },
    ]);
  });

  it('returns a meeting with its notification outcomes, and its invite', async () => {
    const meeting = await queries.meeting('MTG-004');

    expect(meeting).toMatchObject({ meeting_id: 'MTG-004', alert_id: 'ALERT-004', status: 'scheduled' });
    expect(meeting?.notifications).toEqual([expect.objectContaining({ channel: 'email', outcome: 'delivered' })]);
    expect(await queries.invite('MTG-004')).toContain('UID:MTG-004@convene');
    expect(await queries.invite('MTG-404')).toBeNull();
  });

  describe('reports', () => {
    it('lists firing critical and high alerts without a meeting, most recently detected first', async () => {
      const report = await queries.highPriorityWithoutMeeting(100);

      const expected = seeded.alertIds.filter((_, i) => i % 4 === 1);
      expect(report.items.map((alert) => alert.alert_id).sort()).toEqual(expected.sort());
    });

    it('lists upcoming scheduled meetings by urgency score', async () => {
      const report = await queries.upcomingMeetings(100);

      expect(report.items.map((meeting) => meeting.meeting_id)).toEqual([
        'MTG-000',
        'MTG-008',
        'MTG-016',
        'MTG-024',
        'MTG-004',
        'MTG-012',
        'MTG-020',
        'MTG-028',
      ]);
    });

    it('computes the meeting rate over the window', async () => {
      await expect(queries.meetingRate(30)).resolves.toEqual({
        window_days: 30,
        total_alerts: 30,
        with_meetings: 8,
        meeting_rate: 26.67,
      });
    });

    it('counts violations per framework', async () => {
      await expect(queries.violationsByFramework(30)).resolves.toEqual({
        window_days: 30,
        items: [
          { framework: 'PCI-DSS', violations: 12, alerts: 12 },
          { framework: 'SOC2', violations: 6, alerts: 6 },
        ],
      });
    });
  });

  describe('over HTTP', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        controllers: [AuditQueryController],
        providers: [AuditQueryService, AuditLogService, { provide: DataSource, useValue: database.dataSource }],
      }).compile();
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    });

    afterAll(async () => {
      await app.close();
    });

    const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });

    it('serves a page of recent alerts with a next cursor', async () => {
      const response = await get('/internal/alerts/recent?limit=2&severity=critical');

      expect(response.statusCode).toBe(200);
      const body = response.json<Page<AlertJson>>();
      expect(body.items.map((alert) => alert.alert_id)).toEqual(['ALERT-000', 'ALERT-004']);
      expect(body.next_cursor).toEqual(expect.any(String));
    });

    it('answers 400 problem details naming the bad parameter', async () => {
      const response = await get('/internal/meetings/recent?limit=500');

      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'AUDIT.QUERY_INVALID', invalid_params: [{ name: 'limit' }] });
    });

    it('answers 404 for an unknown alert or meeting', async () => {
      expect((await get('/internal/alerts/ALERT-404')).statusCode).toBe(404);
      expect((await get('/internal/meetings/MTG-404')).json()).toMatchObject({ code: 'AUDIT.NOT_FOUND' });
    });

    it('serves the invite as text/calendar', async () => {
      const response = await get('/internal/meetings/MTG-000/invite.ics');

      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/calendar');
      expect(response.body).toContain('BEGIN:VCALENDAR');
    });

    it('serves the reports and the chain verification', async () => {
      expect((await get('/internal/reports/meeting-rate?days=30')).json()).toMatchObject({ with_meetings: 8 });
      expect((await get('/internal/reports/upcoming-meetings?limit=1')).json()).toMatchObject({
        items: [{ meeting_id: 'MTG-000' }],
      });
      expect((await get('/internal/reports/high-priority-without-meeting')).statusCode).toBe(200);
      expect((await get('/internal/reports/violations-by-framework')).json()).toMatchObject({ window_days: 30 });
      expect((await get('/internal/audit/verify')).json()).toMatchObject({ ok: true, checked: 30 * 2 + 8 * 2 });
    });
  });
});
