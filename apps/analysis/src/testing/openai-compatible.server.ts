import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Behaviour =
  | { kind: 'reply'; content: unknown }
  | { kind: 'raw_content'; content: string }
  | { kind: 'refusal'; refusal: string }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface RecordedRequest {
  schemaName: string;
  attempt: number;
  startedAt: number;
  authorization: string | undefined;
  body: ChatRequestBody;
  raw: string;
}

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format: { type: string; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
}

export interface FakeOpenAiServer {
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeOpenAiOptions {
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  model?: string;
  /** Decides the answer from the schema name and the attempt number (1 for the first request). */
  behaviour: (schemaName: string, attempt: number, body: ChatRequestBody) => Behaviour;
}

/**
 * A local server speaking the OpenAI chat-completions protocol (POST /v1/chat/completions with a
 * json_schema response format), for tests. It records each request and when it started.
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions): Promise<FakeOpenAiServer> {
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const startedAt = performance.now();
    void readBody(request).then((raw) => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as ChatRequestBody;
      const schemaName = body.response_format.json_schema.name;
      const attempt = (attempts.get(schemaName) ?? 0) + 1;
      attempts.set(schemaName, attempt);
      requests.push({ schemaName, attempt, startedAt, authorization: request.headers.authorization, body, raw });

      const behaviour = options.behaviour(schemaName, attempt, body);
      if (behaviour.kind === 'hang') return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(response, behaviour, raw, options.model ?? 'test-model');
      }, options.latencyMs ?? 0);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(response: ServerResponse, behaviour: Behaviour, raw: string, model: string): void {
  if (response.destroyed) return;
  if (behaviour.kind === 'status') {
    response.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
    response.end(JSON.stringify({ error: { message: `status ${behaviour.status}`, type: 'test', code: null } }));
    return;
  }
  const content =
    behaviour.kind === 'reply'
      ? JSON.stringify(behaviour.content)
      : behaviour.kind === 'raw_content'
        ? behaviour.content
        : null;
  const refusal = behaviour.kind === 'refusal' ? behaviour.refusal : null;
  const completionTokens = Math.ceil((content ?? refusal ?? '').length / 4);
  const promptTokens = Math.ceil(raw.length / 4);
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: `chatcmpl-${Math.random().toString(16).slice(2)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    }),
  );
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
