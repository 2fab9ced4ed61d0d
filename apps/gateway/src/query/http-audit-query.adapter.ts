import { Inject, Injectable, Logger } from '@nestjs/common';
import { GatewayError } from '../errors/gateway.exception';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config';
import { type AlertDetail, type AlertView, AuditQueryPort, type MeetingView, type Page } from './audit-query.port';

const TIMEOUT_MS = 3_000;

/** The audit service's query API over HTTP, at AUDIT_URL under `/internal/`. */
@Injectable()
export class HttpAuditQueryAdapter extends AuditQueryPort {
  private readonly logger = new Logger(HttpAuditQueryAdapter.name);

  constructor(@Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings) {
    super();
  }

  recentAlerts(limit: number, cursor?: string): Promise<Page<AlertView>> {
    return this.json<Page<AlertView>>(`/internal/alerts/recent${pageQuery(limit, cursor)}`).then(requireFound);
  }

  recentMeetings(limit: number, cursor?: string): Promise<Page<MeetingView>> {
    return this.json<Page<MeetingView>>(`/internal/meetings/recent${pageQuery(limit, cursor)}`).then(requireFound);
  }

  alert(alertId: string): Promise<AlertDetail | null> {
    return this.json<AlertDetail>(`/internal/alerts/${encodeURIComponent(alertId)}`);
  }

  meeting(meetingId: string): Promise<MeetingView | null> {
    return this.json<MeetingView>(`/internal/meetings/${encodeURIComponent(meetingId)}`);
  }

  async invite(meetingId: string): Promise<string | null> {
    const response = await this.get(`/internal/meetings/${encodeURIComponent(meetingId)}/invite.ics`);
    return response ? response.text() : null;
  }

  private async json<T>(path: string): Promise<T | null> {
    const response = await this.get(path);
    return response ? ((await response.json()) as T) : null;
  }

  private async get(path: string): Promise<Response | null> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.auditUrl}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      this.logger.warn({ msg: 'audit query failed', path, error: error instanceof Error ? error.message : 'unknown' });
      throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service did not answer; retry shortly.');
    }
    if (response.status === 404) return null;
    if (response.status === 400) throw new GatewayError('QUERY.INVALID', 'The query parameters are not valid.');
    if (!response.ok) {
      this.logger.warn({ msg: 'audit query rejected', path, status: response.status });
      throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service could not answer; retry shortly.');
    }
    return response;
  }
}

function pageQuery(limit: number, cursor: string | undefined): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor !== undefined) query.set('cursor', cursor);
  return `?${query.toString()}`;
}

function requireFound<T>(page: T | null): T {
  if (page === null) throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service has no query API here.');
  return page;
}
