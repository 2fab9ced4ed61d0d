import { createHmac } from 'node:crypto';
import type { AlertPayload } from './demo-alerts';

/** The alert as GET /alerts/{id} shows it (the fields the demo prints). */
export interface AlertDetailJson {
  alert_id: string;
  alert_type: string | null;
  severity: string | null;
  description: string | null;
  affected_systems: string[];
  root_cause: string | null;
  recommendations: string[];
  compliance_status: string | null;
  compliance_violations: { framework: string; violation: string }[];
  meeting_id: string | null;
  urgency_level: string | null;
  urgency_score: number | null;
  recommended_response_time: string | null;
  books_meeting?: boolean | null;
  processed_at: string | null;
  trace_id: string | null;
  timeline: { topic: string; time: string }[];
  analysis_agents?: { agent: string; source: string; model: string | null; fallback_reason: string | null }[];
}

export interface MeetingJson {
  meeting_id: string;
  meeting_title: string;
  scheduled_time: string;
  duration_minutes: number;
  timezone?: string;
  meeting_url: string;
  attendees: { role: string; name: string; email: string; invited_by?: string }[];
  urgency_level: string;
  urgency_score: number;
  why_scheduled: string;
  discussion_points: string[];
  status: string;
  notifications?: { channel: string; recipient: string; outcome: string }[];
}

export class ConveneApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const WAIT_SECONDS = 30;

/** The few calls the demo makes to a running Convene, signed and keyed like ChainSync's. */
export class ConveneApi {
  constructor(
    readonly baseUrl: string,
    private readonly credentials: { apiKey: string; secret: string },
  ) {}

  /** Posts a signed alert asking Convene to answer once the meeting exists (`Prefer: wait`). */
  async sendAlert(alert: AlertPayload): Promise<{ status: number; meetingId: string | null }> {
    const body = JSON.stringify(alert);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', this.credentials.secret).update(`${timestamp}.${body}`).digest('hex');
    const response = await fetch(`${this.baseUrl}/webhooks/chainsync/alert`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': this.credentials.apiKey,
        'x-webhook-timestamp': String(timestamp),
        'x-webhook-signature': `sha256=${signature}`,
        prefer: `wait=${WAIT_SECONDS}`,
      },
      body,
      signal: AbortSignal.timeout((WAIT_SECONDS + 15) * 1000),
    });
    const answer = (await response.json().catch(() => ({}))) as { data?: { meeting_id?: string }; detail?: string };
    if (!response.ok) {
      throw new ConveneApiError(
        `webhook answered ${response.status}: ${answer.detail ?? 'no detail'}`,
        response.status,
      );
    }
    return { status: response.status, meetingId: answer.data?.meeting_id ?? null };
  }

  alert(alertId: string): Promise<AlertDetailJson | null> {
    return this.read<AlertDetailJson>(`/alerts/${encodeURIComponent(alertId)}`);
  }

  meeting(meetingId: string): Promise<MeetingJson | null> {
    return this.read<MeetingJson>(`/meetings/${encodeURIComponent(meetingId)}`);
  }

  inviteUrl(meetingId: string): string {
    return `${this.baseUrl}/meetings/${encodeURIComponent(meetingId)}/invite.ics`;
  }

  /** The read API needs a key unless Convene is embedded on loopback; the webhook key is accepted. */
  private async read<T>(path: string): Promise<T | null> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { 'x-api-key': this.credentials.apiKey, prefer: `wait=${WAIT_SECONDS}` },
      signal: AbortSignal.timeout((WAIT_SECONDS + 15) * 1000),
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new ConveneApiError(`GET ${path} answered ${response.status}`, response.status);
    return (await response.json()) as T;
  }
}

/** Polls `probe` every `intervalMs` until it returns a value or `timeoutMs` passes (then undefined). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
