import { AuditQueryException } from '../../apps/audit/src/audit-query.exception';
import { parseAlertListQuery, parseMeetingListQuery, parseReportQuery } from '../../apps/audit/src/audit-query.dto';
import type { AuditQueryService } from '../../apps/audit/src/audit-query.service';
import {
  type AlertDetail,
  type AlertView,
  AuditQueryPort,
  type ChainVerification,
  type MeetingRateReport,
  type MeetingView,
  type Page,
  type QueryParameters,
  type ViolationsByFrameworkReport,
} from '../../apps/gateway/src/query/audit-query.port';
import {
  ALERT_LIST_PARAMETERS,
  invalidQueryError,
  LIST_REPORT_PARAMETERS,
  MEETING_LIST_PARAMETERS,
  type ParameterDoc,
  pickParameters,
  WINDOW_REPORT_PARAMETERS,
} from '../../apps/gateway/src/query/query-parameters.dto';

/**
 * The gateway's view of the audit read models when both live in this process: the same queries
 * the HTTP adapter sends to `/internal/*`, parsed by the same audit code and answered by calling
 * the audit service directly.
 */
export class InProcessAuditQuery extends AuditQueryPort {
  constructor(private readonly audit: AuditQueryService) {
    super();
  }

  recentAlerts(query: QueryParameters): Promise<Page<AlertView>> {
    return withParameters(query, ALERT_LIST_PARAMETERS, (raw) => this.audit.recentAlerts(parseAlertListQuery(raw)));
  }

  recentMeetings(query: QueryParameters): Promise<Page<MeetingView>> {
    return withParameters(query, MEETING_LIST_PARAMETERS, (raw) =>
      this.audit.recentMeetings(parseMeetingListQuery(raw)),
    );
  }

  alert(alertId: string): Promise<AlertDetail | null> {
    return this.audit.alert(alertId);
  }

  meeting(meetingId: string): Promise<MeetingView | null> {
    return this.audit.meeting(meetingId);
  }

  invite(meetingId: string): Promise<string | null> {
    return this.audit.invite(meetingId);
  }

  highPriorityWithoutMeeting(query: QueryParameters): Promise<{ items: AlertView[] }> {
    return withParameters(query, LIST_REPORT_PARAMETERS, (raw) =>
      this.audit.highPriorityWithoutMeeting(parseReportQuery(raw).limit),
    );
  }

  upcomingMeetings(query: QueryParameters): Promise<{ items: MeetingView[] }> {
    return withParameters(query, LIST_REPORT_PARAMETERS, (raw) =>
      this.audit.upcomingMeetings(parseReportQuery(raw).limit),
    );
  }

  meetingRate(query: QueryParameters): Promise<MeetingRateReport> {
    return withParameters(query, WINDOW_REPORT_PARAMETERS, (raw) => this.audit.meetingRate(parseReportQuery(raw).days));
  }

  violationsByFramework(query: QueryParameters): Promise<ViolationsByFrameworkReport> {
    return withParameters(query, WINDOW_REPORT_PARAMETERS, (raw) =>
      this.audit.violationsByFramework(parseReportQuery(raw).days),
    );
  }

  verifyChain(): Promise<ChainVerification> {
    return this.audit.verifyChain();
  }
}

/** Forwards what the route takes, as the HTTP adapter does, and answers a rejected parameter as the gateway's problem. */
async function withParameters<T>(
  query: QueryParameters,
  parameters: readonly ParameterDoc[],
  run: (raw: Record<string, string | string[] | undefined>) => Promise<T>,
): Promise<T> {
  try {
    return await run({ ...pickParameters(query, parameters) });
  } catch (error) {
    if (error instanceof AuditQueryException && error.code === 'AUDIT.QUERY_INVALID') {
      throw invalidQueryError(error.fields, parameters);
    }
    throw error;
  }
}
