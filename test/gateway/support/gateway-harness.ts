import { createHmac } from 'node:crypto';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { Client } from 'pg';
import { loadEnv } from '#libs/config';
import { InProcessBus } from '#libs/messaging';
import { startHttpService } from '#libs/runtime';
import { configureGatewayHttp, createGatewayAdapter } from '../../../apps/gateway/src/gateway-http';
import { type GatewayExtras, GatewayModule } from '../../../apps/gateway/src/gateway.module';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { recordSecrets, secretsOfEnvironment } from '../../support/secret-ledger';

export const API_KEYS = ['key-current-0123456789', 'key-next-9876543210'];
export const READ_KEY = 'read-key-abcdef';
export const SECRET = 'webhook-secret-for-tests';

export interface RunningGateway {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

@Module({})
class GatewayTestRoot {}

/** Starts the gateway in-process on 127.0.0.1:0 exactly as main.ts does, on the given database. */
export async function startGateway(
  databaseUrl: string,
  env: Record<string, string> = {},
  extras: GatewayExtras = {},
): Promise<RunningGateway> {
  const rawEnv = {
    WEBHOOK_API_KEY: API_KEYS.join(','),
    WEBHOOK_SECRET_KEY: SECRET,
    API_READ_KEYS: READ_KEY,
    RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
    AUDIT_URL: 'http://127.0.0.1:9',
    ...env,
  };
  recordSecrets(...secretsOfEnvironment(rawEnv));
  const conveneEnv = loadEnv(rawEnv);
  // Nobody subscribes in these tests: the relay publishes into an open bus that drops the events,
  // and the tests read what the gateway committed from its `outbox` table.
  const bus = new InProcessBus();
  bus.open();
  const root: DynamicModule = {
    module: GatewayTestRoot,
    imports: [
      GatewayModule.register({ env: conveneEnv, databaseUrl, version: '0.0.0-test', bus }, { http: true }, extras),
    ],
  };
  const app = await startHttpService(root, {
    env: conveneEnv,
    service: 'gateway',
    port: 0,
    host: '127.0.0.1',
    adapter: createGatewayAdapter(),
    beforeListen: configureGatewayHttp,
    shutdownHooks: false,
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    close: async () => {
      await app.close();
      await bus.close();
    },
  };
}

/** A database for one test file, plus a client to look at what the gateway stored. */
export async function gatewayDatabase(): Promise<{ database: TestDatabase; db: Client; close(): Promise<void> }> {
  const database = await createTestDatabase('gateway');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  await db.query('SET search_path = gateway');
  return {
    database,
    db,
    close: async () => {
      await db.end();
      await database.drop();
    },
  };
}

let sequence = 0;
const usedSignatures = new Set<string>();

/** A valid alert body with a unique id; override any field. */
export function alertBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    alert_id: `SEC-${process.pid}-${Date.now()}-${sequence}`,
    alert_type: 'security_incident',
    severity: 'high',
    description: 'Unauthorized access attempt detected',
    affected_systems: ['prod-db-01', 'auth-service'],
    detected_at: new Date(Date.now() - 60_000).toISOString(),
    context: { ip_addresses: ['192.168.1.100'], failed_attempts: 150 },
    compliance_frameworks: ['SOC2', 'ISO27001'],
    ...overrides,
  };
}

export function sign(body: string | Buffer, timestamp: number | string, secret = SECRET): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  recordSecrets(signature);
  return signature;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Headers of a correctly keyed and signed delivery of `body`. */
export function signedHeaders(
  body: string | Buffer,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  // Each call signs with a timestamp inside the window that no earlier call used for the same body,
  // so two deliveries of one body are two signed requests (a resend), not a replay of one.
  let timestamp = nowSeconds();
  while (usedSignatures.has(sign(body, timestamp))) timestamp -= 1;
  usedSignatures.add(sign(body, timestamp));
  const headers: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-api-key': API_KEYS[0],
    'x-webhook-timestamp': String(timestamp),
    'x-webhook-signature': sign(body, timestamp),
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function post(
  gateway: RunningGateway,
  body: string | Buffer,
  headers: Record<string, string>,
  path = '/webhooks/chainsync/alert',
): Promise<HttpAnswer> {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', body, headers });
  return answer(response);
}

export async function get(
  gateway: RunningGateway,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return answer(await fetch(`${gateway.url}${path}`, { headers }));
}

/** Posts a freshly signed delivery of `alert`. */
export function deliver(gateway: RunningGateway, alert: Record<string, unknown>, extra: Record<string, string> = {}) {
  const body = JSON.stringify(alert);
  return post(gateway, body, { ...signedHeaders(body), ...extra });
}

async function answer(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (ics, metrics); callers look at `text`
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Asserts the answer is an RFC 9457 problem with the given status and code. */
export function expectProblem(answer: HttpAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.json.code }).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.json.status).toBe(status);
  expect([typeof answer.json.type, typeof answer.json.title, typeof answer.json.detail]).toEqual([
    'string',
    'string',
    'string',
  ]);
  expect(answer.text).not.toMatch(/at .+\.(ts|js):\d+/);
}
