import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '#libs/telemetry';
import { DeliveryFailure } from './delivery-failure.exception';

export interface HttpCall {
  /** Names the endpoint in errors and logs instead of its URL, which may embed a secret. */
  target: string;
  url: string;
  method: 'POST' | 'PATCH';
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
}

/**
 * Sends a JSON request and classifies what went wrong: no answer, a timeout, 429 and 5xx are
 * transient; any other 4xx says the request itself is wrong and would be refused again.
 */
export function sendJson(call: HttpCall): Promise<Response> {
  // fetch is not covered by the http instrumentation: one client span per call, named by target, not URL.
  return inSpan(
    `${call.method} ${call.target}`,
    { 'http.request.method': call.method, 'convene.target': call.target },
    async (span) => {
      const response = await send(call);
      span.setAttribute('http.response.status_code', response.status);
      return response;
    },
    { kind: SpanKind.CLIENT },
  );
}

async function send(call: HttpCall): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: call.method,
      headers: { 'content-type': 'application/json', ...call.headers },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (error) {
    throw DeliveryFailure.transient('HTTP.UNREACHABLE', `${call.target}: ${describeNetworkError(error)}`);
  }
  if (response.ok) return response;

  await response.body?.cancel();
  const message = `${call.target} answered HTTP ${response.status}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw DeliveryFailure.transient(`HTTP.${response.status}`, message);
  }
  throw DeliveryFailure.permanent(`HTTP.${response.status}`, message);
}

/** Reads a JSON answer if there is one; an empty or non-JSON body is not an error once accepted. */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timed out';
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : undefined;
  return code ?? (error instanceof Error ? error.name : 'network error');
}
