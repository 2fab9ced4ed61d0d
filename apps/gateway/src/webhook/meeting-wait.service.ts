import { Injectable } from '@nestjs/common';
import { GatewayError } from '../errors/gateway.exception';
import { MAX_WAIT_SECONDS } from '../gateway.config';
import { type AlertDetail, AuditQueryPort, type MeetingView } from '../query/audit-query.port';

/** The seed's answer once an alert has its meeting. */
export interface ProcessedAlert {
  status: 'success';
  message: string;
  data: {
    alert_id: string;
    meeting_id: string;
    meeting_url: string;
    urgency: { level: string; score: number; recommended_response_time: string | null };
    workflow_result: { root_cause: string | null; compliance_status: string | null };
  };
}

/**
 * A warm pipeline books a meeting within about 50 ms of the 202, so the first looks come soon and
 * the interval grows to its cap: a fixed 250 ms made every waiting caller wait at least that long.
 */
const FIRST_POLL_DELAY_MS = 20;
const MAX_POLL_DELAY_MS = 250;

/** The pause before look number `attempt` + 1 (attempt counts from 1): 20, 40, 80, 160, then 250 ms. */
export function pollDelayMs(attempt: number): number {
  return Math.min(MAX_POLL_DELAY_MS, FIRST_POLL_DELAY_MS * 2 ** (attempt - 1));
}

const RESPONSE_TIME: Partial<Record<string, string>> = {
  CRITICAL: '< 1 hour',
  HIGH: '< 4 hours',
  MEDIUM: '< 24 hours',
  LOW: '< 48 hours',
};

/** The seconds a `Prefer: wait=<n>` header asks for, capped; undefined when it asks nothing. */
export function preferredWaitSeconds(prefer: string | string[] | undefined): number | undefined {
  const header = Array.isArray(prefer) ? prefer.join(',') : prefer;
  const match = header ? /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(header) : null;
  if (!match?.[1]) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

/**
 * Waits for the audit read model to show the alert's meeting, polling the query port less often as
 * the wait goes on. The wait ends early once the meeting exists; an audit service that cannot
 * answer yet counts as "not yet".
 */
@Injectable()
export class MeetingWaitService {
  constructor(private readonly audit: AuditQueryPort) {}

  async waitForMeeting(alertId: string, seconds: number): Promise<ProcessedAlert | undefined> {
    const deadline = Date.now() + seconds * 1000;
    for (let attempt = 1; ; attempt += 1) {
      const found = await this.lookUp(alertId);
      if (found) return toProcessedAlert(found.alert, found.meeting);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollDelayMs(attempt), remaining)));
    }
  }

  private async lookUp(alertId: string): Promise<{ alert: AlertDetail; meeting: MeetingView } | undefined> {
    try {
      const alert = await this.audit.alert(alertId);
      if (!alert?.meeting_id) return undefined;
      const meeting = await this.audit.meeting(alert.meeting_id);
      return meeting ? { alert, meeting } : undefined;
    } catch (error) {
      if (error instanceof GatewayError) return undefined;
      throw error;
    }
  }
}

function toProcessedAlert(alert: AlertDetail, meeting: MeetingView): ProcessedAlert {
  return {
    status: 'success',
    message: `Alert ${alert.alert_id} processed and meeting ${meeting.meeting_id} created`,
    data: {
      alert_id: alert.alert_id,
      meeting_id: meeting.meeting_id,
      meeting_url: meeting.meeting_url,
      urgency: {
        level: meeting.urgency_level,
        score: meeting.urgency_score,
        recommended_response_time: alert.recommended_response_time ?? RESPONSE_TIME[meeting.urgency_level] ?? null,
      },
      workflow_result: { root_cause: alert.root_cause, compliance_status: alert.compliance_status },
    },
  };
}
