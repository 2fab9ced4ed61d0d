import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type FakeOpenAiServer, startFakeOpenAi } from '../../apps/analysis/src/testing/openai-compatible.server';
import { LocalSmtpServer } from '../../apps/notification/src/testing/local-smtp.server';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort, startNode, type StartedProcess, waitForHttp } from '../support/processes';
import { alertFactory, postAlert } from '../support/webhook';

// The five services as separate processes on the infrastructure of `npm run infra:up`: Kafka,
// PostgreSQL (one role and schema per service) and Jaeger, which the spans reach over OTLP/HTTP.
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const OTLP_ENDPOINT = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
const JAEGER_QUERY_URL = process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686';

const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'] as const;
type Service = (typeof SERVICES)[number];
const SERVICE_NAMES = SERVICES.map((service) => `convene-${service}`);

const credentials = { apiKey: `obs-key-${randomBytes(6).toString('hex')}`, secret: randomBytes(24).toString('hex') };

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}

interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

interface Accepted {
  status: string;
  alert_id: string;
  trace_id: string;
}

async function jaeger<T>(path: string): Promise<T | undefined> {
  const response = await fetch(`${JAEGER_QUERY_URL}${path}`);
  if (!response.ok) return undefined;
  return ((await response.json()) as { data: T }).data;
}

function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((entry) => entry.key === key)?.value;
}

/** The services whose spans a trace holds, by Jaeger process. */
function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? 'unknown';
}

/** The span ids from `span` up to the root, following CHILD_OF references. */
function ancestry(trace: JaegerTrace, span: JaegerSpan): JaegerSpan[] {
  const byId = new Map(trace.spans.map((candidate) => [candidate.spanID, candidate]));
  const chain = [span];
  for (let current = span; ;) {
    const parentId = current.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;
    const parent = parentId ? byId.get(parentId) : undefined;
    if (!parent) return chain;
    chain.push(parent);
    current = parent;
  }
}

/**
 * A fresh database with the five schemas, each owned by its service's role (the roles exist on
 * the infrastructure server; a role connects to any database, and owning its schema is all it needs).
 */
async function createServiceDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase('observability');
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  try {
    for (const service of SERVICES) await admin.query(`CREATE SCHEMA "${service}" AUTHORIZATION "${service}"`);
  } finally {
    await admin.end();
  }
  return database;
}

function serviceUrl(database: TestDatabase, service: Service): string {
  const url = new URL(database.url);
  url.username = service;
  url.password = service;
  return url.toString();
}

describe('one alert is one trace across the five services (distributed mode)', () => {
  let database: TestDatabase;
  let smtp: LocalSmtpServer;
  let openAi: FakeOpenAiServer;
  let dataDir: string;
  const ports = new Map<Service, number>();
  const processes = new Map<Service, StartedProcess>();
  const alert = alertFactory();
  const alertId = String(alert.alert_id);
  let accepted: Accepted;

  beforeAll(async () => {
    database = await createServiceDatabase();
    smtp = await LocalSmtpServer.start();
    // The root-cause agent gets an answer, the other two a 400: the trace shows a model call and two fallbacks.
    openAi = await startFakeOpenAi({
      model: 'local-model',
      behaviour: (schema) =>
        schema === 'root_cause_analysis'
          ? {
              kind: 'reply',
              content: {
                summary: 'Credential stuffing against the auth service',
                five_whys: ['1', '2', '3', '4', '5'],
                recommendations: ['a', 'b', 'c'],
              },
            }
          : { kind: 'status', status: 400 },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'convene-observability-'));
    for (const service of SERVICES) ports.set(service, await freePort());

    for (const service of SERVICES) {
      processes.set(
        service,
        startNode(`dist/apps/${service}/src/main.js`, {
          CONVENE_MODE: 'distributed',
          PORT: String(ports.get(service)),
          HOST: '127.0.0.1',
          DATABASE_URL: serviceUrl(database, service),
          KAFKA_BROKERS,
          OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT,
          SMTP_URL: smtp.url,
          WEBHOOK_API_KEY: credentials.apiKey,
          WEBHOOK_SECRET_KEY: credentials.secret,
          AUDIT_URL: `http://127.0.0.1:${ports.get('audit')}`,
          OPENAI_API_KEY: 'sk-local-observability-test',
          OPENAI_BASE_URL: openAi.baseURL,
          OPENAI_MODEL: 'local-model',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
        }),
      );
    }
    await Promise.all(
      SERVICES.map((service) =>
        waitForHttp(`http://127.0.0.1:${ports.get(service)}/ready`, 120_000, processes.get(service)),
      ),
    );

    const response = await postAlert(`http://127.0.0.1:${ports.get('gateway')}`, alert, credentials);
    expect(response.status).toBe(202);
    accepted = (await response.json()) as Accepted;
    await eventually(
      () => Promise.resolve(smtp.received.find((mail) => mail.parsed.headers.get('x-convene-alert-id') === alertId)),
      60_000,
      'invite email',
      { intervalMs: 500, tolerateErrors: true },
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...processes.values()].map((process) => process.stop()));
    await smtp?.stop();
    await openAi?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('follows the alert from the webhook server span to the SMTP send of its invite in the trace the gateway answered', async () => {
    expect(accepted.trace_id).toMatch(/^[\da-f]{32}$/);

    const trace = await eventually(
      async () => {
        const [found] = (await jaeger<JaegerTrace[]>(`/api/traces/${accepted.trace_id}`)) ?? [];
        const auditSawDelivery = found?.spans.some(
          (span) =>
            span.operationName === 'consume notification.delivered' && serviceOf(found, span) === 'convene-audit',
        );
        return found && auditSawDelivery ? found : undefined;
      },
      60_000,
      `trace ${accepted.trace_id} in Jaeger`,
      { intervalMs: 500, tolerateErrors: true },
    );

    const services = new Set(trace.spans.map((span) => serviceOf(trace, span)));
    expect([...services].sort()).toEqual([...SERVICE_NAMES].sort());

    const roots = trace.spans.filter((span) => !span.references.some((ref) => ref.refType === 'CHILD_OF'));
    expect(roots).toHaveLength(1);
    const [root] = roots;
    expect(serviceOf(trace, root)).toBe('convene-gateway');
    expect(tag(root, 'span.kind')).toBe('server');
    expect(root.operationName).toBe('POST /webhooks/chainsync/alert');
    expect(tag(root, 'alert.id')).toBe(alertId);

    const smtpSend = trace.spans.find(
      (span) => span.operationName === 'smtp send' && serviceOf(trace, span) === 'convene-notification',
    );
    expect(smtpSend).toBeDefined();
    const path = ancestry(trace, smtpSend!).map((span) => `${serviceOf(trace, span)}:${span.operationName}`);
    expect(path).toEqual(
      expect.arrayContaining([
        'convene-notification:deliver email',
        'convene-notification:consume meeting.scheduled',
        'convene-scheduling:consume alert.analyzed',
        'convene-analysis:consume alert.received',
        'convene-gateway:accept alert',
      ]),
    );
    expect(path[path.length - 1]).toBe('convene-gateway:POST /webhooks/chainsync/alert');

    const llmCalls = trace.spans.filter((span) => span.operationName === 'chat local-model');
    expect(llmCalls.map((span) => [tag(span, 'convene.agent'), tag(span, 'convene.agent.source')]).sort()).toEqual([
      ['compliance', 'template'],
      ['meeting_context', 'template'],
      ['root_cause', 'llm'],
    ]);
    for (const span of llmCalls) {
      expect(serviceOf(trace, span)).toBe('convene-analysis');
      expect(tag(span, 'gen_ai.system')).toBe('openai');
      expect(tag(span, 'gen_ai.request.model')).toBe('local-model');
    }

    const consumed = trace.spans.filter((span) => span.operationName.startsWith('consume '));
    for (const span of consumed) expect(tag(span, 'alert.id')).toBe(alertId);
    expect(consumed.filter((span) => serviceOf(trace, span) === 'convene-audit').length).toBeGreaterThanOrEqual(4);
  }, 150_000);

  it('leaves no other trace tagged with the alert in any service', async () => {
    const tags = encodeURIComponent(JSON.stringify({ 'alert.id': alertId }));
    const traceIds = await eventually(
      async () => {
        const found = new Map<string, Set<string>>();
        for (const service of SERVICE_NAMES) {
          const traces = await jaeger<JaegerTrace[]>(
            `/api/traces?service=${service}&tags=${tags}&lookback=1h&limit=50`,
          );
          found.set(service, new Set((traces ?? []).map((trace) => trace.traceID)));
        }
        return [...found.values()].every((ids) => ids.size > 0) ? found : undefined;
      },
      60_000,
      'traces of every service tagged with the alert',
      { intervalMs: 500, tolerateErrors: true },
    );

    for (const service of SERVICE_NAMES)
      expect({ service, traces: [...traceIds.get(service)!] }).toEqual({
        service,
        traces: [accepted.trace_id],
      });
  }, 150_000);

  it('stores the answered trace id in every audit row of the alert', async () => {
    const rows = await eventually(
      async () => {
        const admin = new Client({ connectionString: database.url });
        await admin.connect();
        try {
          const result = await admin.query<{ topic: string; trace_id: string | null }>(
            'SELECT topic, trace_id FROM audit.audit_log WHERE alert_id = $1',
            [alertId],
          );
          return result.rows.some((row) => row.topic === 'notification.delivered') ? result.rows : undefined;
        } finally {
          await admin.end();
        }
      },
      30_000,
      'audit rows up to the delivery',
      { intervalMs: 500, tolerateErrors: true },
    );

    expect(new Set(rows.map((row) => row.trace_id))).toEqual(new Set([accepted.trace_id]));
  }, 60_000);

  it("exposes each service's own metrics on its /metrics", async () => {
    const scrape = async (service: Service): Promise<string> =>
      (await fetch(`http://127.0.0.1:${ports.get(service)}/metrics`)).text();

    const [gateway, analysis, scheduling, notification, audit] = await Promise.all(SERVICES.map(scrape));

    expect(gateway).toMatch(
      /http_requests_total\{method="POST",route="\/webhooks\/chainsync\/alert",status="202"\} [1-9]/,
    );
    expect(gateway).toMatch(/convene_outbox_unsent_messages\{service="gateway"\} \d+/);
    expect(analysis).toMatch(
      /convene_consumer_handling_duration_seconds_count\{group="convene-analysis",topic="alert.received",outcome="handled"\} [1-9]/,
    );
    expect(analysis).toMatch(/convene_agent_fallbacks_total\{agent="compliance",reason="error"\} [1-9]/);
    expect(analysis).toMatch(/convene_llm_request_duration_seconds_count\{agent="root_cause",source="llm"\} [1-9]/);
    expect(analysis).toMatch(/convene_consumer_lag_messages\{group="convene-analysis",topic="alert.received"\} \d+/);
    expect(scheduling).toMatch(/convene_time_to_meeting_seconds_count\{urgency="CRITICAL"\} [1-9]/);
    expect(notification).toMatch(/convene_notification_deliveries_total\{channel="email",status="sent"\} [1-9]/);
    expect(audit).toMatch(
      /convene_consumer_handling_duration_seconds_count\{group="convene-audit",topic="notification.delivered",outcome="handled"\} [1-9]/,
    );
  });
});
