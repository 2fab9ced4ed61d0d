import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Client } from 'pg';
import {
  alertBody,
  API_KEYS,
  deliver,
  expectProblem,
  gatewayDatabase,
  nowSeconds,
  post,
  type RunningGateway,
  sign,
  signedHeaders,
  startGateway,
} from '../gateway/support/gateway-harness';

/*
 * Issue #12: the attacks test/gateway/webhook-security.e2e-spec.ts does not cover yet — a key
 * rotated out, truncated signatures, the exact 1 MB boundary with and without Content-Length, and
 * a body that never ends.
 */
const MEGABYTE = 1_048_576;

let database: Awaited<ReturnType<typeof gatewayDatabase>>;
let db: Client;
let gateway: RunningGateway;

beforeAll(async () => {
  database = await gatewayDatabase();
  db = database.db;
  gateway = await startGateway(database.database.url);
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await database?.close();
});

describe('key rotation', () => {
  it('answers 403 to the old key once a restart has rotated it out, and 202 to the new one', async () => {
    expect((await deliver(gateway, alertBody())).status).toBe(202);
    const rotated = await startGateway(database.database.url, { WEBHOOK_API_KEY: API_KEYS[1] });
    try {
      const body = JSON.stringify(alertBody());
      const old = await post(rotated, body, signedHeaders(body, { 'x-api-key': API_KEYS[0] }));
      const next = await post(rotated, body, signedHeaders(body, { 'x-api-key': API_KEYS[1] }));

      expectProblem(old, 403, 'AUTH.API_KEY_INVALID');
      expect(next.status).toBe(202);
    } finally {
      await rotated.close();
    }
  }, 60_000);
});

describe('truncated signatures', () => {
  it.each([
    ['one hex digit short', (signature: string) => signature.slice(0, 63)],
    ['half of it', (signature: string) => signature.slice(0, 32)],
    ['only the prefix', () => 'sha256='],
  ])('answers 401 ALERT.SIGNATURE_INVALID for a signature cut to %s, and stores nothing', async (_name, cut) => {
    const alert = alertBody();
    const body = JSON.stringify(alert);
    const headers = signedHeaders(body);

    const answer = await post(gateway, body, {
      ...headers,
      'x-webhook-signature': cut(headers['x-webhook-signature']),
    });

    expectProblem(answer, 401, 'ALERT.SIGNATURE_INVALID');
    const stored = await db.query('SELECT 1 FROM received_alerts WHERE alert_id = $1', [alert.alert_id]);
    expect(stored.rowCount).toBe(0);
  });
});

describe('the 1 MB boundary, signed correctly', () => {
  /** A valid alert padded with trailing whitespace (still valid JSON) to exactly `size` bytes. */
  const bodyOf = (size: number): string => {
    const json = JSON.stringify(alertBody());
    return json + ' '.repeat(size - Buffer.byteLength(json));
  };

  it('accepts exactly 1 MB with Content-Length', async () => {
    const body = bodyOf(MEGABYTE);
    expect((await post(gateway, body, signedHeaders(body))).status).toBe(202);
  });

  it('answers 413 for 1 MB + 1 byte with Content-Length', async () => {
    const body = bodyOf(MEGABYTE + 1);
    expectProblem(await post(gateway, body, signedHeaders(body)), 413, 'ALERT.BODY_TOO_LARGE');
  });

  it('accepts exactly 1 MB sent chunked without Content-Length', async () => {
    const body = bodyOf(MEGABYTE);
    expect(await postChunked(body, signedHeaders(body))).toBe(202);
  });

  it('answers 413 for 1 MB + 1 byte sent chunked without Content-Length', async () => {
    const body = bodyOf(MEGABYTE + 1);
    expect(await postChunked(body, signedHeaders(body))).toBe(413);
  });
});

describe('a body that never ends', () => {
  // Node enforces the 30 s request timeout from a connection check that runs every 30 s, so the
  // connection goes after 30 to 90 s depending on when the check falls.
  it('is answered 408 and its connection closed once the 30 s request timeout has been checked', async () => {
    const timestamp = nowSeconds();
    const started = Date.now();

    const { closedAfterMs, answer } = await slowBody(timestamp);

    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(29_000);
    expect(closedAfterMs).toBeLessThan(95_000);
    expect(Date.now() - started).toBeLessThan(100_000);
  }, 120_000);
});

function postChunked(body: string, headers: Record<string, string>): Promise<number> {
  const url = new URL('/webhooks/chainsync/alert', gateway.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const bytes = Buffer.from(body);
    for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
      request.write(bytes.subarray(offset, offset + 64 * 1024));
    request.end();
  });
}

/** Announces a 4 kB body, then sends one byte a second for ever; resolves when the server hangs up. */
function slowBody(timestamp: number): Promise<{ closedAfterMs: number; answer: string }> {
  const url = new URL(gateway.url);
  const body = JSON.stringify(alertBody());
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const opened = Date.now();
    let answer = '';
    let drip: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(
        [
          'POST /webhooks/chainsync/alert HTTP/1.1',
          `Host: ${url.host}`,
          'Content-Type: application/json',
          'Content-Length: 4096',
          `X-API-Key: ${API_KEYS[0]}`,
          `X-Webhook-Timestamp: ${timestamp}`,
          `X-Webhook-Signature: ${sign(body, timestamp)}`,
          '',
          '{',
        ].join('\r\n'),
      );
      drip = setInterval(() => socket.write(' '), 1_000);
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ closedAfterMs: Date.now() - opened, answer });
    });
  });
}
