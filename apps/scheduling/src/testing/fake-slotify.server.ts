import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** How the fake answers one request: a status (after doing the work when `commit`), after a delay. */
export interface SlotifyBehaviour {
  status?: number;
  delayMs?: number;
  /** For 5xx on POST /meetings: create the meeting before failing, like a server that crashed after commit. */
  commit?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A local Slotify speaking the REST protocol the adapter uses: Bearer auth, POST /meetings with
 * Idempotency-Key (a repeated key returns the first meeting), PATCH /meetings/{id},
 * POST /meetings/{id}/cancel. Tests queue behaviours to make it fail or stall.
 */
export class FakeSlotify {
  readonly requests: RecordedRequest[] = [];
  readonly meetings = new Map<string, { id: string; body: Record<string, unknown>; cancelled: boolean }>();
  private readonly byKey = new Map<string, string>();
  private readonly behaviours: SlotifyBehaviour[] = [];
  private server: Server | undefined;
  private counter = 0;

  constructor(private readonly apiKey: string) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.answer(request).then(
        ({ status, body }) => {
          if (response.destroyed) return;
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        },
        () => response.destroy(),
      );
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Queues behaviours for the next requests, in order; afterwards requests succeed at once. */
  willAnswer(...behaviours: SlotifyBehaviour[]): void {
    this.behaviours.push(...behaviours);
  }

  private async answer(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      authorization: request.headers.authorization,
      idempotencyKey: request.headers['idempotency-key'] as string | undefined,
      body: chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {},
    };
    this.requests.push(recorded);
    const behaviour = this.behaviours.shift() ?? {};
    if (behaviour.delayMs) await sleep(behaviour.delayMs);

    if (recorded.authorization !== `Bearer ${this.apiKey}`) return { status: 401, body: { error: 'unauthorized' } };
    if (behaviour.status && behaviour.status < 500) return { status: behaviour.status, body: { error: 'rejected' } };
    const failure = { status: behaviour.status ?? 500, body: { error: 'server error' } };
    if (behaviour.status && !behaviour.commit) return failure;
    const result = this.route(recorded);
    return behaviour.status ? failure : result;
  }

  private route(request: RecordedRequest): { status: number; body: unknown } {
    const cancel = /^\/meetings\/([^/]+)\/cancel$/.exec(request.path);
    const update = /^\/meetings\/([^/]+)$/.exec(request.path);
    if (request.method === 'POST' && request.path === '/meetings') return this.create(request);
    const meeting = this.meetings.get(decodeURIComponent((cancel ?? update)?.[1] ?? ''));
    if (!meeting) return { status: 404, body: { error: 'not found' } };
    if (request.method === 'POST' && cancel) meeting.cancelled = true;
    else if (request.method === 'PATCH' && update) meeting.body = { ...meeting.body, ...request.body };
    else return { status: 405, body: { error: 'method not allowed' } };
    return { status: 200, body: { meeting_id: meeting.id } };
  }

  private create(request: RecordedRequest): { status: number; body: unknown } {
    if (!request.idempotencyKey) return { status: 400, body: { error: 'Idempotency-Key required' } };
    const existing = this.byKey.get(request.idempotencyKey);
    const id = existing ?? `SLT-${++this.counter}`;
    if (!existing) {
      this.byKey.set(request.idempotencyKey, id);
      this.meetings.set(id, { id, body: request.body, cancelled: false });
    }
    return { status: existing ? 200 : 201, body: { meeting_id: id, meeting_url: `https://slotify.test/m/${id}` } };
  }
}
