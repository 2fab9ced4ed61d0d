import { AuditQueryException } from '../../apps/audit/src/audit-query.exception';
import { parseAlertListQuery, parseMeetingListQuery } from '../../apps/audit/src/audit-query.dto';
import type { AuditQueryService } from '../../apps/audit/src/audit-query.service';
import { GatewayError } from '../../apps/gateway/src/errors/gateway.exception';
import {
  type AlertDetail,
  type AlertView,
  AuditQueryPort,
  type MeetingView,
  type Page,
} from '../../apps/gateway/src/query/audit-query.port';

/**
 * The gateway's view of the audit read models when both live in this process: the same queries
 * the HTTP adapter sends to `/internal/*`, answered by calling the audit service directly.
 */
export class InProcessAuditQuery extends AuditQueryPort {
  constructor(private readonly audit: AuditQueryService) {
    super();
  }

  recentAlerts(limit: number, cursor?: string): Promise<Page<AlertView>> {
    return translateErrors(() => this.audit.recentAlerts(parseAlertListQuery(pageQuery(limit, cursor))));
  }

  recentMeetings(limit: number, cursor?: string): Promise<Page<MeetingView>> {
    return translateErrors(() => this.audit.recentMeetings(parseMeetingListQuery(pageQuery(limit, cursor))));
  }

  alert(alertId: string): Promise<AlertDetail | null> {
    return translateErrors(() => this.audit.alert(alertId));
  }

  meeting(meetingId: string): Promise<MeetingView | null> {
    return translateErrors(() => this.audit.meeting(meetingId));
  }

  invite(meetingId: string): Promise<string | null> {
    return translateErrors(() => this.audit.invite(meetingId));
  }
}

function pageQuery(limit: number, cursor: string | undefined): Record<string, string> {
  return cursor === undefined ? { limit: String(limit) } : { limit: String(limit), cursor };
}

async function translateErrors<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof AuditQueryException) {
      throw new GatewayError('QUERY.INVALID', 'The query parameters are not valid.');
    }
    throw error;
  }
}
