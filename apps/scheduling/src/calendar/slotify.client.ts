import { setTimeout as sleep } from 'node:timers/promises';
import type { SlotifySettings } from '../scheduling-settings';
import { SlotifyException } from './slotify.exception';

export interface SlotifyMeetingRequest {
  title: string;
  description: string;
  scheduled_time: string;
  duration_minutes: number;
  attendees: { name: string; email: string; role: string }[];
  alert_reference: string;
  organizer: string;
}

export interface SlotifyMeeting {
  meeting_id: string;
  meeting_url: string;
}

/**
 * Slotify's REST API: Bearer auth, an Idempotency-Key on every write (the same on each retry, so a
 * retried POST never books twice), a timeout per attempt, and retries with exponential backoff on
 * network errors, timeouts and 5xx, never on 4xx.
 */
export class SlotifyClient {
  constructor(private readonly settings: SlotifySettings) {}

  async createMeeting(request: SlotifyMeetingRequest, idempotencyKey: string): Promise<SlotifyMeeting> {
    const body = await this.send('POST', '/meetings', request, idempotencyKey);
    if (!isMeeting(body))
      throw new SlotifyException('SLOTIFY.BAD_RESPONSE', false, 'answer lacks meeting_id or meeting_url');
    return body;
  }

  async updateMeeting(id: string, request: SlotifyMeetingRequest, idempotencyKey: string): Promise<void> {
    await this.send('PATCH', `/meetings/${encodeURIComponent(id)}`, request, idempotencyKey);
  }

  async cancelMeeting(id: string, reason: string, idempotencyKey: string): Promise<void> {
    await this.send('POST', `/meetings/${encodeURIComponent(id)}/cancel`, { reason }, idempotencyKey);
  }

  private async send(method: string, path: string, payload: unknown, idempotencyKey: string): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.attempt(method, path, payload, idempotencyKey);
      } catch (error) {
        const retriable = !(error instanceof SlotifyException) || error.retriable;
        if (!retriable || attempt >= this.settings.retries) throw error;
        await sleep(this.settings.backoffMs * 2 ** attempt);
      }
    }
  }

  private async attempt(method: string, path: string, payload: unknown, idempotencyKey: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.settings.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw timedOut
        ? new SlotifyException('SLOTIFY.TIMEOUT', true, `no answer within ${this.settings.timeoutMs} ms`)
        : new SlotifyException('SLOTIFY.NETWORK', true, error instanceof Error ? error.message : 'network error');
    }
    return readAnswer(response);
  }
}

async function readAnswer(response: Response): Promise<unknown> {
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new SlotifyException('SLOTIFY.SERVER_ERROR', true, `Slotify answered ${response.status}`, response.status);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new SlotifyException('SLOTIFY.REJECTED', false, `Slotify answered ${response.status}`, response.status);
  }
  const text = await response.text();
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    throw new SlotifyException('SLOTIFY.BAD_RESPONSE', false, 'answer is not JSON', response.status);
  }
}

function isMeeting(body: unknown): body is SlotifyMeeting {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Record<string, unknown>;
  return typeof candidate.meeting_id === 'string' && typeof candidate.meeting_url === 'string';
}
