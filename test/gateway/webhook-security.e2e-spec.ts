import { request as httpRequest } from 'node:http';
import type { Client } from 'pg';
import {
  alertBody,
  API_KEYS,
  deliver,
  expectProblem,
  gatewayDatabase,
  type HttpAnswer,
  nowSeconds,
  post,
  type RunningGateway,
  sign,
  signedHeaders,
  startGateway,
} from './support/gateway-harness';

jest.setTimeout(60_000);

let database: Awaited<ReturnType<typeof gatewayDatabase>>;
let db: Client;
let gateway: RunningGateway;

beforeAll(async () => {
  database = await gatewayDatabase();
  db = database.db;
  gateway = await startGateway(database.database.url);
});

afterAll(async () => {
  await gateway?.close();
  await database?.close();
});

describe('API key', () => {
  it('answers 401 AUTH.API_KEY_MISSING when X-API-Key is absent', async () => {
    const body = JSON.stringify(alertBody());
    expectProblem(
      await post(gateway, body, signedHeaders(body, { 'x-api-key': undefined })),
      401,
      'AUTH.API_KEY_MISSING',
    );
  });

  it('answers 403 AUTH.API_KEY_INVALID for a key not in WEBHOOK_API_KEY', async () => {
    const body = JSON.stringify(alertBody());
    expectProblem(
      await post(gateway, body, signedHeaders(body, { 'x-api-key': 'not-a-key' })),
      403,
      'AUTH.API_KEY_INVALID',
    );
  });

  it('accepts the second key of a rotation', async () => {
    const body = JSON.stringify(alertBody());
    const answer = await post(gateway, body, signedHeaders(body, { 'x-api-key': API_KEYS[1] }));
    expect(answer.status).toBe(202);
  });

  it('never echoes the presented key', async () => {
    const body = JSON.stringify(alertBody());
    const answer = await post(gateway, body, signedHeaders(body, { 'x-api-key': 'secret-looking-key-42' }));
    expect(answer.text).not.toContain('secret-looking-key-42');
  });
});

describe('signature', () => {
  it('answers 401 ALERT.SIGNATURE_MISSING without X-Webhook-Signature', async () => {
    const body = JSON.stringify(alertBody());
    const answer = await post(gateway, body, signedHeaders(body, { 'x-webhook-signature': undefined }));
    expectProblem(answer, 401, 'ALERT.SIGNATURE_MISSING');
  });

  it('answers 401 ALERT.SIGNATURE_INVALID for a signature that is not hex HMAC', async () => {
    const body = JSON.stringify(alertBody());
    const answer = await post(gateway, body, signedHeaders(body, { 'x-webhook-signature': 'deadbeef' }));
    expectProblem(answer, 401, 'ALERT.SIGNATURE_INVALID');
  });

  it('answers 401 for the signature of another body', async () => {
    const body = JSON.stringify(alertBody());
    const other = JSON.stringify(alertBody());
    const timestamp = nowSeconds();
    const answer = await post(
      gateway,
      body,
      signedHeaders(body, { 'x-webhook-signature': sign(other, timestamp), 'x-webhook-timestamp': String(timestamp) }),
    );
    expectProblem(answer, 401, 'ALERT.SIGNATURE_INVALID');
  });

  it('answers 401 for a signature made with another secret', async () => {
    const body = JSON.stringify(alertBody());
    const timestamp = nowSeconds();
    const answer = await post(
      gateway,
      body,
      signedHeaders(body, {
        'x-webhook-signature': sign(body, timestamp, 'other-secret'),
        'x-webhook-timestamp': String(timestamp),
      }),
    );
    expectProblem(answer, 401, 'ALERT.SIGNATURE_INVALID');
  });

  it('checks the raw bytes: a signature over the re-serialized JSON does not match spaced-out JSON', async () => {
    const alert = alertBody();
    const spaced = JSON.stringify(alert, null, 2);
    const timestamp = nowSeconds();
    const overReserialized = sign(JSON.stringify(JSON.parse(spaced)), timestamp);
    const answer = await post(
      gateway,
      spaced,
      signedHeaders(spaced, { 'x-webhook-signature': overReserialized, 'x-webhook-timestamp': String(timestamp) }),
    );
    expectProblem(answer, 401, 'ALERT.SIGNATURE_INVALID');
  });

  it('accepts spaced-out JSON signed over its exact bytes, with the sha256= prefix', async () => {
    const spaced = JSON.stringify(alertBody(), null, 2);
    const timestamp = nowSeconds();
    const answer = await post(
      gateway,
      spaced,
      signedHeaders(spaced, {
        'x-webhook-signature': `sha256=${sign(spaced, timestamp)}`,
        'x-webhook-timestamp': String(timestamp),
      }),
    );
    expect(answer.status).toBe(202);
  });
});

describe('timestamp', () => {
  const at = async (timestamp: number): Promise<HttpAnswer> => {
    const body = JSON.stringify(alertBody());
    return post(
      gateway,
      body,
      signedHeaders(body, { 'x-webhook-timestamp': String(timestamp), 'x-webhook-signature': sign(body, timestamp) }),
    );
  };

  it('answers 401 ALERT.TIMESTAMP_MISSING without X-Webhook-Timestamp', async () => {
    const body = JSON.stringify(alertBody());
    expectProblem(
      await post(gateway, body, signedHeaders(body, { 'x-webhook-timestamp': undefined })),
      401,
      'ALERT.TIMESTAMP_MISSING',
    );
  });

  it('answers 401 for a correctly signed timestamp 301 s old', async () => {
    expectProblem(await at(nowSeconds() - 301), 401, 'ALERT.TIMESTAMP_OUT_OF_WINDOW');
  });

  it('answers 401 for a correctly signed timestamp 301 s ahead', async () => {
    expectProblem(await at(nowSeconds() + 301), 401, 'ALERT.TIMESTAMP_OUT_OF_WINDOW');
  });

  it('accepts a timestamp 280 s old', async () => {
    expect((await at(nowSeconds() - 280)).status).toBe(202);
  });

  it('answers 401 for a timestamp that is not unix seconds', async () => {
    const body = JSON.stringify(alertBody());
    const stamp = new Date().toISOString();
    const answer = await post(
      gateway,
      body,
      signedHeaders(body, { 'x-webhook-timestamp': stamp, 'x-webhook-signature': sign(body, stamp) }),
    );
    expectProblem(answer, 401, 'ALERT.TIMESTAMP_OUT_OF_WINDOW');
  });
});

describe('replay', () => {
  it('processes a signed request once and answers 409 ALERT.REPLAYED to the same request again, also after a restart', async () => {
    const body = JSON.stringify(alertBody());
    const headers = signedHeaders(body);

    const first = await post(gateway, body, headers);
    const again = await post(gateway, body, headers);
    await gateway.close();
    gateway = await startGateway(database.database.url);
    const afterRestart = await post(gateway, body, headers);

    expect(first.status).toBe(202);
    expectProblem(again, 409, 'ALERT.REPLAYED');
    expectProblem(afterRestart, 409, 'ALERT.REPLAYED');
    const nonces = await db.query('SELECT count(*)::int AS n FROM replay_nonces WHERE signature = $1', [
      headers['x-webhook-signature'],
    ]);
    expect(nonces.rows[0]).toEqual({ n: 1 });
  });

  it('keeps the nonce until the timestamp leaves the window', async () => {
    const body = JSON.stringify(alertBody());
    const headers = signedHeaders(body);
    await post(gateway, body, headers);
    const row = await db.query<{ expires: string }>(
      'SELECT extract(epoch FROM expires_at)::bigint AS expires FROM replay_nonces WHERE signature = $1',
      [headers['x-webhook-signature']],
    );
    expect(Number(row.rows[0]?.expires)).toBe(Number(headers['x-webhook-timestamp']) + 300);
  });
});

describe('body', () => {
  it('answers 413 problem+json for a body over 1 MB with Content-Length', async () => {
    const body = JSON.stringify(alertBody({ description: 'x'.repeat(1_100_000) }));
    expectProblem(await post(gateway, body, signedHeaders(body)), 413, 'ALERT.BODY_TOO_LARGE');
  });

  it('answers 413 problem+json for a chunked body over 1 MB without Content-Length', async () => {
    const answer = await postChunked(gateway.url, 64 * 1024, 24);
    expect(answer.headers['content-length']).not.toBe(undefined);
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ALERT.BODY_TOO_LARGE', status: 413 });
  });

  it('accepts a chunked body under 1 MB', async () => {
    const body = JSON.stringify(alertBody());
    const answer = await postChunkedBody(gateway.url, body, signedHeaders(body));
    expect(answer.status).toBe(202);
  });

  it('answers 415 for text/plain', async () => {
    const body = JSON.stringify(alertBody());
    expectProblem(
      await post(gateway, body, signedHeaders(body, { 'content-type': 'text/plain' })),
      415,
      'ALERT.UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('answers 415 for form data', async () => {
    const body = 'alert_id=1';
    expectProblem(
      await post(gateway, body, signedHeaders(body, { 'content-type': 'application/x-www-form-urlencoded' })),
      415,
      'ALERT.UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('accepts application/json with a charset', async () => {
    const body = JSON.stringify(alertBody());
    expect(
      (await post(gateway, body, signedHeaders(body, { 'content-type': 'application/json; charset=utf-8' }))).status,
    ).toBe(202);
  });

  it('answers 400 ALERT.MALFORMED_JSON for a signed body that is not JSON', async () => {
    const body = '{"alert_id": "A-1", ';
    expectProblem(await post(gateway, body, signedHeaders(body)), 400, 'ALERT.MALFORMED_JSON');
  });
});

describe('rate limit', () => {
  let limited: RunningGateway;

  beforeAll(async () => {
    limited = await startGateway(database.database.url, { RATE_LIMIT_PER_MINUTE: '5', TRUSTED_PROXIES: '' });
  });

  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 with Retry-After past the per-minute budget, whatever X-Forwarded-For says', async () => {
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(await deliver(limited, alertBody(), { 'x-forwarded-for': `203.0.113.${i}` }));
    }
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expectProblem(answers[5], 429, 'RATE_LIMIT.EXCEEDED');
    const retryAfter = Number(answers[5]?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts unauthenticated requests too', async () => {
    const answer = await post(limited, '{}', { 'content-type': 'application/json' });
    expectProblem(answer, 429, 'RATE_LIMIT.EXCEEDED');
  });

  it('refuses a client over budget before reading its body: 429, not 413', async () => {
    const body = JSON.stringify(alertBody({ description: 'x'.repeat(1_100_000) }));
    expectProblem(await post(limited, body, signedHeaders(body)), 429, 'RATE_LIMIT.EXCEEDED');
  });

  it('gives each forwarded client its own budget behind a trusted proxy', async () => {
    const proxied = await startGateway(database.database.url, {
      RATE_LIMIT_PER_MINUTE: '2',
      TRUSTED_PROXIES: '127.0.0.1/8',
    });
    try {
      const statuses: number[] = [];
      for (const client of ['198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.2']) {
        statuses.push((await deliver(proxied, alertBody(), { 'x-forwarded-for': `${client}, 127.0.0.1` })).status);
      }
      expect(statuses).toEqual([202, 202, 429, 202]);
    } finally {
      await proxied.close();
    }
  });
});

interface RawAnswer {
  status: number;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Streams `chunks` chunks of `chunkSize` bytes with Transfer-Encoding: chunked and no Content-Length. */
function postChunked(base: string, chunkSize: number, chunks: number): Promise<RawAnswer> {
  const timestamp = nowSeconds();
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/webhooks/chainsync/alert`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
        'x-api-key': API_KEYS[0],
        'x-webhook-timestamp': String(timestamp),
        'x-webhook-signature': '0'.repeat(64),
      },
    });
    request.on('response', (response) => collect(response, resolve));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const chunk = Buffer.alloc(chunkSize, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < chunks) {
        sent += 1;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      request.end();
    };
    pump();
  });
}

function postChunkedBody(base: string, body: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/webhooks/chainsync/alert`, {
      method: 'POST',
      headers: { ...headers, 'transfer-encoding': 'chunked' },
    });
    request.on('response', (response) => collect(response, resolve));
    request.on('error', reject);
    const half = Math.floor(body.length / 2);
    request.write(body.slice(0, half));
    request.end(body.slice(half));
  });
}

function collect(response: import('node:http').IncomingMessage, resolve: (answer: RawAnswer) => void): void {
  const parts: Buffer[] = [];
  response.on('data', (part: Buffer) => parts.push(part));
  response.on('end', () =>
    resolve({
      status: response.statusCode ?? 0,
      contentType: String(response.headers['content-type'] ?? ''),
      headers: response.headers,
      body: Buffer.concat(parts).toString('utf8'),
    }),
  );
}
