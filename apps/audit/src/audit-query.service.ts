import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AlertView } from './alert-view.projection';
import { AuditLogService, type ChainVerification } from './audit-log.service';
import {
  type AlertListQuery,
  encodeCursor,
  type MeetingListQuery,
  type Page,
  type PageCursor,
} from './audit-query.dto';
import {
  type AlertDetailJson,
  type AlertJson,
  type MeetingDetailJson,
  type MeetingJson,
  type MeetingRateReport,
  type NotificationJson,
  toAlertJson,
  toMeetingJson,
  type ViolationsByFrameworkReport,
} from './audit-response.dto';
import type { MeetingView } from './meeting-view.projection';

type WithCursor<Row> = Row & { cursor_time: string };

/**
 * Everything the gateway asks of the audit service: recent alerts and meetings, one of each, the
 * invite, the seed's reports and the chain check. Served over HTTP by AuditQueryController in
 * distributed mode and called in-process in embedded mode.
 */
@Injectable()
export class AuditQueryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: AuditLogService,
  ) {}

  async recentAlerts(query: AlertListQuery): Promise<Page<AlertJson>> {
    const filters = new Filters();
    if (query.severity) filters.add((p) => `severity = ${p}`, query.severity);
    if (query.alert_type) filters.add((p) => `alert_type = ${p}`, query.alert_type);
    if (query.status) filters.add((p) => `status = ${p}`, query.status);
    filters.window(query);
    const rows = await this.keysetPage<AlertView>('alerts_view', 'alert_id', filters, query);
    return toPage(rows, query.limit, (row) => row.alert_id, toAlertJson);
  }

  async recentMeetings(query: MeetingListQuery): Promise<Page<MeetingJson>> {
    const filters = new Filters();
    if (query.status) filters.add((p) => `status = ${p}`, query.status);
    if (query.urgency) filters.add((p) => `urgency_level = ${p}`, query.urgency);
    filters.window(query);
    const rows = await this.keysetPage<MeetingView>('meetings_view', 'meeting_id', filters, query);
    return toPage(rows, query.limit, (row) => row.meeting_id, toMeetingJson);
  }

  /** The alert with its timeline, or null when the audit service has not seen it. */
  async alert(alertId: string): Promise<AlertDetailJson | null> {
    const [view] = await this.dataSource.query<AlertView[]>('SELECT * FROM alerts_view WHERE alert_id = $1', [alertId]);
    if (!view) return null;

    const timeline = await this.log.timeline(
      this.dataSource.manager,
      alertId,
      view.meeting_id ? [view.meeting_id] : [],
    );
    const analysisAgents = await this.log.analysisAgents(this.dataSource.manager, alertId);
    return { ...toAlertJson(view), timeline, analysis_agents: analysisAgents };
  }

  async meeting(meetingId: string): Promise<MeetingDetailJson | null> {
    const [view] = await this.dataSource.query<MeetingView[]>('SELECT * FROM meetings_view WHERE meeting_id = $1', [
      meetingId,
    ]);
    if (!view) return null;

    const notifications = await this.dataSource.query<NotificationJson[]>(
      `SELECT channel, recipient, outcome, meeting_sequence, attempts, provider_message_id, error,
              to_json(at) #>> '{}' AS at
       FROM meeting_notifications_view WHERE meeting_id = $1 ORDER BY channel, recipient`,
      [meetingId],
    );
    return { ...toMeetingJson(view), notifications };
  }

  /** The RFC 5545 text of the meeting's latest invite, or null for an unknown meeting. */
  async invite(meetingId: string): Promise<string | null> {
    const [row] = await this.dataSource.query<{ invite_ics: string }[]>(
      'SELECT invite_ics FROM meetings_view WHERE meeting_id = $1',
      [meetingId],
    );
    return row?.invite_ics ?? null;
  }

  /** Firing critical and high alerts that have no meeting, most recently detected first. */
  async highPriorityWithoutMeeting(limit: number): Promise<{ items: AlertJson[] }> {
    const rows = await this.dataSource.query<AlertView[]>(
      `SELECT * FROM alerts_view
       WHERE severity IN ('critical', 'high') AND NOT meeting_created AND status IS DISTINCT FROM 'resolved'
       ORDER BY detected_at DESC NULLS LAST, alert_id
       LIMIT $1`,
      [limit],
    );
    return { items: rows.map(toAlertJson) };
  }

  /** Scheduled meetings still ahead, most urgent first. */
  async upcomingMeetings(limit: number): Promise<{ items: MeetingJson[] }> {
    const rows = await this.dataSource.query<MeetingView[]>(
      `SELECT * FROM meetings_view
       WHERE status = 'scheduled' AND scheduled_time > now()
       ORDER BY urgency_score DESC, scheduled_time, meeting_id
       LIMIT $1`,
      [limit],
    );
    return { items: rows.map(toMeetingJson) };
  }

  /** Of the alerts received in the last `days` days, how many got a meeting. */
  async meetingRate(days: number): Promise<MeetingRateReport> {
    const [row] = await this.dataSource.query<{ total: number; with_meetings: number }[]>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE meeting_created)::int AS with_meetings
       FROM alerts_view WHERE created_at > now() - make_interval(days => $1)`,
      [days],
    );
    const rate = row.total === 0 ? 0 : Math.round((row.with_meetings / row.total) * 10000) / 100;
    return { window_days: days, total_alerts: row.total, with_meetings: row.with_meetings, meeting_rate: rate };
  }

  /** Compliance violations per framework among alerts received in the last `days` days. */
  async violationsByFramework(days: number): Promise<ViolationsByFrameworkReport> {
    const items = await this.dataSource.query<ViolationsByFrameworkReport['items']>(
      `SELECT violation->>'framework' AS framework, count(*)::int AS violations, count(DISTINCT alert_id)::int AS alerts
       FROM alerts_view CROSS JOIN LATERAL jsonb_array_elements(compliance_violations) AS violation
       WHERE created_at > now() - make_interval(days => $1)
       GROUP BY 1
       ORDER BY violations DESC, framework`,
      [days],
    );
    return { window_days: days, items };
  }

  verifyChain(): Promise<ChainVerification> {
    return this.log.verify(this.dataSource);
  }

  /** One page newest first, keyset on (created_at, id); fetches one row more to know whether another page follows. */
  private keysetPage<Row>(
    table: 'alerts_view' | 'meetings_view',
    id: 'alert_id' | 'meeting_id',
    filters: Filters,
    query: { limit: number; cursor: PageCursor | null },
  ): Promise<WithCursor<Row>[]> {
    if (query.cursor) {
      const after = `(${filters.param(query.cursor.created_at)}::timestamptz, ${filters.param(query.cursor.id)})`;
      filters.clauses.push(`(created_at, ${id}) < ${after}`);
    }
    const limit = filters.param(query.limit + 1);
    return this.dataSource.query<WithCursor<Row>[]>(
      `SELECT *, to_json(created_at) #>> '{}' AS cursor_time FROM ${table} ${filters.where()}
       ORDER BY created_at DESC, ${id} DESC
       LIMIT ${limit}`,
      filters.params,
    );
  }
}

/** WHERE clauses with numbered parameters. */
class Filters {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: (placeholder: string) => string, value: unknown): void {
    this.clauses.push(clause(this.param(value)));
  }

  /** Binds `value` and returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** `from` inclusive, `to` exclusive, on created_at. */
  window(query: { from?: Date; to?: Date }): void {
    if (query.from) this.add((p) => `created_at >= ${p}`, query.from);
    if (query.to) this.add((p) => `created_at < ${p}`, query.to);
  }

  where(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

function toPage<Row, Json>(
  rows: WithCursor<Row>[],
  limit: number,
  idOf: (row: Row) => string,
  toJson: (row: Row) => Json,
): Page<Json> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next_cursor =
    rows.length > limit && last ? encodeCursor({ created_at: last.cursor_time, id: idOf(last) }) : null;
  return { items: items.map(toJson), next_cursor };
}
