import { Inject, Injectable, Logger } from '@nestjs/common';
import { GatewayError } from '../errors/gateway.exception';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config';
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
} from './audit-query.port';
import {
  ALERT_LIST_PARAMETERS,
  invalidQueryError,
  LIST_REPORT_PARAMETERS,
  MEETING_LIST_PARAMETERS,
  type ParameterDoc,
  pickParameters,
  WINDOW_REPORT_PARAMETERS,
} from './query-parameters.dto';

const TIMEOUT_MS = 3_000;
// Verification rehashes the whole log, which grows with every event; lookups stay on the short budget.
const VERIFY_TIMEOUT_MS = 60_000;

interface AuditRequest {
  path: string;
  query?: QueryParameters;
  /** What the route accepts: only these are forwarded, and they name rejected ones in the problem. */
  parameters?: readonly ParameterDoc[];
  timeoutMs?: number;
}

/** The audit service's query API over HTTP, at AUDIT_URL under `/internal/`. */
@Injectable()
export class HttpAuditQueryAdapter extends AuditQueryPort {
  private readonly logger = new Logger(HttpAuditQueryAdapter.name);

  constructor(@Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings) {
    super();
  }

  recentAlerts(query: QueryParameters): Promise<Page<AlertView>> {
    return this.required({ path: '/internal/alerts/recent', query, parameters: ALERT_LIST_PARAMETERS });
  }

  recentMeetings(query: QueryParameters): Promise<Page<MeetingView>> {
    return this.required({ path: '/internal/meetings/recent', query, parameters: MEETING_LIST_PARAMETERS });
  }

  alert(alertId: string): Promise<AlertDetail | null> {
    return this.json<AlertDetail>({ path: `/internal/alerts/${encodeURIComponent(alertId)}` });
  }

  meeting(meetingId: string): Promise<MeetingView | null> {
    return this.json<MeetingView>({ path: `/internal/meetings/${encodeURIComponent(meetingId)}` });
  }

  async invite(meetingId: string): Promise<string | null> {
    const response = await this.get({ path: `/internal/meetings/${encodeURIComponent(meetingId)}/invite.ics` });
    return response ? response.text() : null;
  }

  highPriorityWithoutMeeting(query: QueryParameters): Promise<{ items: AlertView[] }> {
    return this.required({
      path: '/internal/reports/high-priority-without-meeting',
      query,
      parameters: LIST_REPORT_PARAMETERS,
    });
  }

  upcomingMeetings(query: QueryParameters): Promise<{ items: MeetingView[] }> {
    return this.required({ path: '/internal/reports/upcoming-meetings', query, parameters: LIST_REPORT_PARAMETERS });
  }

  meetingRate(query: QueryParameters): Promise<MeetingRateReport> {
    return this.required({ path: '/internal/reports/meeting-rate', query, parameters: WINDOW_REPORT_PARAMETERS });
  }

  violationsByFramework(query: QueryParameters): Promise<ViolationsByFrameworkReport> {
    return this.required({
      path: '/internal/reports/violations-by-framework',
      query,
      parameters: WINDOW_REPORT_PARAMETERS,
    });
  }

  verifyChain(): Promise<ChainVerification> {
    return this.required({ path: '/internal/audit/verify', timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** A route that always exists: a 404 means AUDIT_URL is not an audit service. */
  private async required<T>(request: AuditRequest): Promise<T> {
    const body = await this.json<T>(request);
    if (body === null) throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service has no query API here.');
    return body;
  }

  private async json<T>(request: AuditRequest): Promise<T | null> {
    const response = await this.get(request);
    return response ? ((await response.json()) as T) : null;
  }

  private async get(request: AuditRequest): Promise<Response | null> {
    const parameters = request.parameters ?? [];
    const query = queryString(pickParameters(request.query ?? {}, parameters));
    const url = `${this.settings.auditUrl}${request.path}${query}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(request.timeoutMs ?? TIMEOUT_MS) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unknown';
      this.logger.warn({ msg: 'audit query failed', path: request.path, error: reason });
      throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service did not answer; retry shortly.');
    }
    if (response.status === 404) return null;
    if (response.status === 400) throw invalidQueryError(await rejectedParameters(response), parameters);
    if (!response.ok) {
      this.logger.warn({ msg: 'audit query rejected', path: request.path, status: response.status });
      throw new GatewayError('AUDIT.UNAVAILABLE', 'The audit service could not answer; retry shortly.');
    }
    return response;
  }
}

function queryString(query: QueryParameters): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) search.append(name, item);
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The names in the audit service's `invalid_params`; its other words stay behind the gateway. */
async function rejectedParameters(response: Response): Promise<string[]> {
  const problem: unknown = await response.json().catch(() => null);
  if (typeof problem !== 'object' || problem === null || !('invalid_params' in problem)) return [];
  const params = problem.invalid_params;
  if (!Array.isArray(params)) return [];
  return params.flatMap((param: unknown) =>
    typeof param === 'object' && param !== null && 'name' in param && typeof param.name === 'string'
      ? [param.name]
      : [],
  );
}
