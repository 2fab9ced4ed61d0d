import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { EVENT_CATALOGUE, TOPICS } from '#libs/contracts';
import { createPrivateKafka, type PrivateKafka, privateKafkaAvailable } from '../support/private-kafka';
import { createPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { freePort, startNode, type StartedProcess, waitForHttp } from '../support/processes';
import { alertFactory, postAlert } from '../support/webhook';
import { CountingSmtpServer } from './chaos-smtp';

/*
 * Issue #12: the promise under faults, on the real stack. N signed alerts (5 % re-sent, 2 %
 * escalated, 1 % resolved) go to five service processes on a private Kafka broker and a private
 * PostgreSQL server while the broker is SIGKILLed for 10 s, the database crashes and restarts, and
 * each service process is SIGKILLed once and restarted. CHAOS_ALERTS sets N (CI default below).
 */
const TOTAL = Number(process.env.CHAOS_ALERTS ?? 400);
const SENDERS = 6;
const SERVICES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'] as const;
type Service = (typeof SERVICES)[number];
const PRODUCERS: Service[] = ['gateway', 'analysis', 'scheduling', 'notification'];
const TYPES = [
  'security_incident',
  'compliance_violation',
  'performance_degradation',
  'capacity_warning',
  'system_failure',
  'integration_failure',
  'data_quality_drift',
];
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const credentials = { apiKey: 'chaos-webhook-key', secret: 'chaos-webhook-secret' };
// Every event the services published; dead letters travel through the outbox too, on `<topic>.dlq`.
const EVENTS_SQL = PRODUCERS.map(
  (service) => `SELECT event_id::text FROM ${service}.outbox WHERE topic NOT LIKE '%.dlq'`,
).join(' UNION ALL ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Delivery {
  kind: 'new' | 'duplicate' | 'escalation' | 'resolution';
  alert: Record<string, unknown>;
  after?: Promise<boolean>;
}

/** The deliveries in sending order; every follow-up waits until its original was accepted. */
function plan(total: number): { deliveries: Delivery[]; originals: number } {
  const counts = { duplicate: Math.round(total * 0.05), escalation: Math.round(total * 0.02), resolution: 0 };
  counts.resolution = Math.max(1, Math.round(total * 0.01));
  const originals = total - counts.duplicate - counts.escalation - counts.resolution;
  const escalated: number[] = [];
  const deliveries: Delivery[] = [];
  for (let i = 0; i < originals; i += 1) {
    const escalates = i % 50 === 7 && i / 50 < counts.escalation;
    if (escalates) escalated.push(i);
    const severity = escalates ? 'medium' : SEVERITIES[(i * 7) % SEVERITIES.length];
    deliveries.push({
      kind: 'new',
      alert: alertFactory({
        alert_id: `CHAOS-${i}-${Date.now()}`,
        alert_type: TYPES[i % TYPES.length],
        severity,
        // Systems of their own, so that alerts do not correlate into one another's meetings.
        affected_systems: [`chaos-svc-${i}`],
        context: { customer_facing: i % 5 === 0 },
      }),
    });
  }
  const originalsOf = (step: number, count: number, offset: number): number[] =>
    Array.from({ length: count }, (_, k) => (offset + k * step) % originals);
  const followUps: { original: number; delivery: Delivery }[] = [
    ...originalsOf(19, counts.duplicate, 3).map((original) => ({
      original,
      delivery: { kind: 'duplicate' as const, alert: deliveries[original].alert },
    })),
    ...escalated.map((original) => ({
      original,
      delivery: { kind: 'escalation' as const, alert: { ...deliveries[original].alert, severity: 'critical' } },
    })),
    ...originalsOf(97, counts.resolution, 11).map((original) => ({
      original,
      delivery: { kind: 'resolution' as const, alert: { ...deliveries[original].alert, status: 'resolved' } },
    })),
  ];
  // Spread the follow-ups over the run so that they meet the faults too, but each well behind its
  // original: the senders take deliveries in order, so the original is on its way (and its
  // acceptance awaitable) before the follow-up is taken.
  const spacing = originals / (followUps.length + 1);
  const ordered = [
    ...deliveries.map((delivery, index) => ({ at: index, delivery })),
    ...followUps.map(({ original, delivery }, k) => ({
      at: Math.max((k + 1) * spacing, original + 4 * SENDERS) + 0.5,
      delivery,
    })),
  ].sort((a, b) => a.at - b.at);
  return { deliveries: ordered.map(({ delivery }) => delivery), originals };
}

class ServiceFleet {
  readonly ports = new Map<Service, number>();
  readonly outputs: string[] = [];
  private readonly running = new Map<Service, StartedProcess>();

  constructor(private readonly env: Record<string, string>) {}

  async startAll(): Promise<void> {
    for (const service of SERVICES) this.ports.set(service, await freePort());
    await Promise.all(SERVICES.map((service) => this.start(service)));
  }

  async start(service: Service): Promise<void> {
    const port = this.ports.get(service) ?? 0;
    const child = startNode(`dist/apps/${service}/src/main.js`, {
      ...this.env,
      PORT: String(port),
      AUDIT_URL: `http://127.0.0.1:${this.ports.get('audit') ?? 0}`,
    });
    this.running.set(service, child);
    await waitForHttp(`http://127.0.0.1:${port}/health`, 120_000, child);
  }

  async kill(service: Service): Promise<void> {
    const child = this.running.get(service);
    if (!child) return;
    await child.stop('SIGKILL');
    this.outputs.push(`--- ${service} (killed)\n${child.output()}`);
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.get('gateway') ?? 0}`;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running.entries()].map(async ([service, child]) => {
        await child.stop('SIGTERM');
        this.outputs.push(`--- ${service}\n${child.output()}`);
      }),
    );
  }
}

/** Sends one delivery like ChainSync would: re-signed and retried until the gateway accepts it. */
async function send(baseUrl: string, delivery: Delivery, deadline: number): Promise<boolean> {
  if (delivery.after && !(await delivery.after)) return false;
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    // A fresh timestamp per attempt; the same second again would be a replay of the same request.
    await sleep(attempt === 0 ? 0 : 1_000);
    const response = await postAlert(baseUrl, delivery.alert, credentials).catch(() => null);
    if (response) await response.arrayBuffer();
    if (response && (response.status === 202 || response.status === 200)) return true;
    if (response && response.status < 500 && response.status !== 429 && response.status !== 409) {
      throw new Error(`${delivery.kind} ${String(delivery.alert.alert_id)} answered ${response.status}`);
    }
  }
  return false;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('Convene under faults (distributed, private Kafka and PostgreSQL)', () => {
  const available = privateKafkaAvailable();
  let kafka: PrivateKafka;
  let postgres: PrivatePostgres;
  let smtp: CountingSmtpServer;
  let fleet: ServiceFleet;
  const passed = { chaos: false, poison: false };

  beforeAll(async () => {
    if (!available) return;
    [kafka, postgres, smtp] = await Promise.all([
      createPrivateKafka(),
      createPrivatePostgres(),
      CountingSmtpServer.start(),
    ]);
    await kafka.start();
    fleet = new ServiceFleet({
      CONVENE_MODE: 'distributed',
      HOST: '127.0.0.1',
      DATABASE_URL: postgres.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      WEBHOOK_API_KEY: credentials.apiKey,
      WEBHOOK_SECRET_KEY: credentials.secret,
      SMTP_URL: smtp.url,
      RATE_LIMIT_PER_MINUTE: '1000000',
      OPENAI_API_KEY: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      LOG_LEVEL: 'warn',
    });
    await fleet.startAll();
  }, 300_000);

  afterAll(async () => {
    if (!available) return;
    await fleet?.stopAll();
    if (!passed.chaos || !passed.poison)
      process.stderr.write(fleet?.outputs.map((output) => output.slice(-6_000)).join('\n') ?? '');
    await Promise.all([kafka?.destroy(), postgres?.destroy(), smtp?.stop()]);
  }, 120_000);

  (available ? it : it.skip)(
    `books exactly one meeting per accepted alert out of ${TOTAL} while the broker, the database and every service crash`,
    async () => {
      const { deliveries, originals } = plan(TOTAL);
      const started = Date.now();
      const sendDeadline = started + Math.max(8 * 60_000, TOTAL * 120);
      const accepted = new Map<string, Promise<boolean>>();
      let sent = 0;

      const chaos = runFaults(() => sent / deliveries.length, kafka, postgres, fleet);
      const queue = [...deliveries];
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            const delivery = next;
            const id = String(delivery.alert.alert_id);
            if (delivery.kind !== 'new') {
              delivery.after = accepted.get(id);
              if (!delivery.after) throw new Error(`the ${delivery.kind} of ${id} was planned before its original`);
            }
            const outcome = send(fleet.gatewayUrl, delivery, sendDeadline);
            if (delivery.kind === 'new') accepted.set(id, outcome);
            await outcome;
            sent += 1;
          }
        }),
      );
      const faults = await chaos;
      const sendSeconds = (Date.now() - started) / 1000;
      const acceptedIds = (
        await Promise.all([...accepted.entries()].map(async ([id, ok]) => ((await ok) ? id : null)))
      ).filter((id): id is string => id !== null);

      await drain(postgres.url, acceptedIds.length);
      const drainSeconds = (Date.now() - started) / 1000;
      const counts = await verify(postgres.url, kafka, smtp, deliveries, acceptedIds);

      process.stdout.write(
        `chaos: ${JSON.stringify({ deliveries: deliveries.length, originals, accepted: acceptedIds.length, ...counts, faults, sendSeconds, drainSeconds })}\n`,
      );
      expect(acceptedIds.length).toBe(originals);
      expect(counts.alertsWithoutMeeting).toBe(0);
      expect(counts.alertsWithTwoMeetings).toBe(0);
      expect(counts.resolvedNotCancelled).toBe(0);
      expect(counts.latestVersionInvitesMissing).toEqual([]);
      expect(counts.sentButNotReceived).toEqual([]);
      expect(counts.unexpectedInvites).toEqual([]);
      expect(counts.versionsWithTwoMessageIds).toBe(0);
      // Only the notification crash window may resend, and then with the same Message-ID.
      expect(counts.resentInvites).toBeLessThanOrEqual(10);
      expect(counts.auditRows).toBe(counts.events);
      expect(counts.eventsMissingFromAudit).toBe(0);
      expect(counts.deadLetters).toBe(0);
      expect(counts.dlqMessages).toBe(0);
      passed.chaos = true;
    },
    Math.max(20 * 60_000, TOTAL * 300),
  );

  (available ? it : it.skip)(
    'dead-letters a malformed message on every topic and keeps the events behind it flowing',
    async () => {
      // Runs on the system the chaos test left behind.
      expect(passed.chaos).toBe(true);
      const alert = alertFactory({ alert_id: `POISON-${Date.now()}`, affected_systems: ['poison-svc'] });
      const deadLettersBefore = await deadLettersByTopic(postgres.url);
      await publishPoison(kafka, String(alert.alert_id));

      const response = await postAlert(fleet.gatewayUrl, alert, credentials, { prefer: 'wait=30' });
      await drain(
        postgres.url,
        Number((await query<{ n: string }>(postgres.url, 'SELECT count(*) AS n FROM gateway.received_alerts'))[0].n),
      );
      const deadLetters = await deadLettersByTopic(postgres.url);
      const audited = await query<{ topic: string }>(
        postgres.url,
        `SELECT DISTINCT topic FROM audit.audit_log WHERE alert_id = '${String(alert.alert_id)}'`,
      );

      process.stdout.write(`poison: ${JSON.stringify({ deadLetters, dlqMessages: await dlqMessages(kafka) })}\n`);
      expect(deadLettersBefore).toEqual({});
      expect(response.status).toBe(200);
      // Every consumed topic dead-letters both messages in every service that consumes it.
      expect(Object.keys(deadLetters).sort()).toEqual([...TOPICS].sort());
      expect(Object.values(deadLetters).every((count) => count >= 2 && count % 2 === 0)).toBe(true);
      const deadLettered = Object.values(deadLetters).reduce((sum, count) => sum + count, 0);
      for (let tries = 0; tries < 30 && (await dlqMessages(kafka)) < deadLettered; tries += 1) await sleep(1_000);
      expect(await dlqMessages(kafka)).toBe(deadLettered);
      expect(audited.map((row) => row.topic)).toEqual(
        expect.arrayContaining(['alert.received', 'alert.analyzed', 'meeting.scheduled', 'notification.delivered']),
      );
      passed.poison = true;
    },
    5 * 60_000,
  );
});

async function deadLettersByTopic(url: string): Promise<Record<string, number>> {
  const rows = await query<{ topic: string; n: string }>(
    url,
    `SELECT topic, count(*) AS n FROM (${['analysis', 'scheduling', 'notification', 'audit']
      .map((service) => `SELECT topic FROM ${service}.dead_letters`)
      .join(' UNION ALL ')}) d GROUP BY topic`,
  );
  return Object.fromEntries(rows.map((row) => [row.topic, Number(row.n)]));
}

/**
 * Publishes, keyed by `alertId`, one unparsable message and one CloudEvent whose data breaks its
 * schema on every topic, straight into Kafka: they sit in front of that alert's real events.
 */
async function publishPoison(kafka: PrivateKafka, alertId: string): Promise<void> {
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    for (const topic of TOPICS) {
      await producer.send({
        topic,
        messages: [
          { key: alertId, value: '{"truncated": ' },
          {
            key: alertId,
            value: JSON.stringify({ unexpected: true }),
            headers: {
              ce_specversion: '1.0',
              ce_id: randomUUID(),
              ce_source: 'chaos-test',
              ce_type: EVENT_CATALOGUE[topic].type,
              ce_subject: alertId,
              'content-type': 'application/json',
            },
          },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Injects the faults as the sending progresses; resolves with when each happened (s since start). */
async function runFaults(
  progress: () => number,
  kafka: PrivateKafka,
  postgres: PrivatePostgres,
  fleet: ServiceFleet,
): Promise<Record<string, number>> {
  const start = Date.now();
  const at: Record<string, number> = {};
  const when = async (share: number, name: string, fault: () => Promise<void>): Promise<void> => {
    while (progress() < share) await sleep(200);
    at[name] = Math.round((Date.now() - start) / 100) / 10;
    await fault();
  };
  await when(0.1, 'kafka SIGKILL, 10 s down', async () => {
    await kafka.stop();
    await sleep(10_000);
    await kafka.start();
  });
  await when(0.3, 'postgres crash and restart', async () => {
    await postgres.crash();
    await sleep(3_000);
    await postgres.start();
  });
  const shares: Record<Service, number> = {
    gateway: 0.45,
    analysis: 0.55,
    scheduling: 0.65,
    notification: 0.75,
    audit: 0.85,
  };
  for (const service of SERVICES) {
    await when(shares[service], `${service} SIGKILL`, async () => {
      await fleet.kill(service);
      await fleet.start(service);
    });
  }
  return at;
}

/** Waits until every accepted alert has its meeting and every event is published, audited and notified. */
async function drain(url: string, acceptedCount: number): Promise<void> {
  const deadline = Date.now() + Math.max(300_000, acceptedCount * 600);
  let settledSince = 0;
  let last = '';
  while (Date.now() < deadline) {
    const [state] = await query<Record<string, string>>(
      url,
      `SELECT
         (SELECT count(*) FROM scheduling.meeting_alerts WHERE meeting_id IS NOT NULL) AS booked,
         (SELECT count(*) FROM gateway.outbox WHERE sent_at IS NULL) + (SELECT count(*) FROM analysis.outbox WHERE sent_at IS NULL)
           + (SELECT count(*) FROM scheduling.outbox WHERE sent_at IS NULL) + (SELECT count(*) FROM notification.outbox WHERE sent_at IS NULL) AS unsent,
         (SELECT count(*) FROM notification.deliveries WHERE status = 'pending') AS pending,
         (SELECT count(*) FROM scheduling.outbox WHERE topic LIKE 'meeting.%' AND topic NOT LIKE '%.dlq')
           - (SELECT count(DISTINCT event_id) FROM notification.inbox WHERE topic LIKE 'meeting.%') AS unnotified,
         (SELECT count(*) FROM (${EVENTS_SQL}) e) AS events,
         (SELECT count(*) FROM audit.audit_log) AS audited`,
    ).catch((): Record<string, string>[] => [{ booked: '-1' }]);
    const now = JSON.stringify(state);
    const done =
      Number(state.booked) >= acceptedCount &&
      state.unsent === '0' &&
      state.pending === '0' &&
      state.unnotified === '0' &&
      state.events === state.audited;
    if (done && now === last) {
      if (Date.now() - settledSince > 5_000) return;
    } else {
      settledSince = Date.now();
    }
    last = now;
    await sleep(2_000);
  }
  throw new Error(`the system did not settle: ${last}`);
}

async function verify(
  url: string,
  kafka: PrivateKafka,
  smtp: CountingSmtpServer,
  deliveries: Delivery[],
  acceptedIds: string[],
): Promise<Record<string, number | string[]>> {
  const links = await query<{
    alert_id: string;
    meeting_id: string | null;
    resolved: boolean;
    status: string;
    started: boolean;
  }>(
    url,
    `SELECT a.alert_id, a.meeting_id, a.resolved, m.status, m.start_at <= now() AS started
       FROM scheduling.meeting_alerts a LEFT JOIN scheduling.meetings m ON m.id = a.meeting_id`,
  );
  const byAlert = new Map(links.map((link) => [link.alert_id, link]));
  const meetingsPerAlert = await query<{ alert_id: string; meetings: string }>(
    url,
    `SELECT alert_id, count(*) AS meetings FROM scheduling.meetings GROUP BY alert_id HAVING count(*) > 1`,
  );
  const resolvedIds = deliveries.filter((d) => d.kind === 'resolution').map((d) => String(d.alert.alert_id));
  const resolvedNotCancelled = resolvedIds.filter((id) => {
    const link = byAlert.get(id);
    return !link || (link.status !== 'cancelled' && !link.started);
  });

  const invites = await inviteSets(url);
  const received = new Set(smtp.invites.keys());
  const notReceived = (keys: Set<string>): string[] => [...keys].filter((key) => !received.has(key));
  const events = await query<{ event_id: string }>(url, EVENTS_SQL);
  const audited = new Set(
    (await query<{ event_id: string }>(url, 'SELECT event_id FROM audit.audit_log')).map((row) => row.event_id),
  );
  const deadLetters = await query<{ count: string }>(
    url,
    `SELECT count(*) FROM (${['analysis', 'scheduling', 'notification', 'audit'].map((s) => `SELECT id FROM ${s}.dead_letters`).join(' UNION ALL ')}) d`,
  );
  return {
    meetings: Number((await query<{ count: string }>(url, 'SELECT count(*) FROM scheduling.meetings'))[0].count),
    cancelledMeetings: Number(
      (await query<{ count: string }>(url, "SELECT count(*) FROM scheduling.meetings WHERE status = 'cancelled'"))[0]
        .count,
    ),
    alertsWithoutMeeting: acceptedIds.filter((id) => !byAlert.get(id)?.meeting_id).length,
    alertsWithTwoMeetings: meetingsPerAlert.length,
    resolutions: resolvedIds.length,
    resolvedNotCancelled: resolvedNotCancelled.length,
    invitesPublished: invites.published.size,
    invitesReceived: smtp.messages,
    // A version replaced before its invites went out is not sent: the attendee gets the newer one.
    invitesSuperseded: notReceived(invites.published).length,
    latestVersionInvitesMissing: notReceived(invites.latest).slice(0, 10),
    sentButNotReceived: notReceived(invites.sent).slice(0, 10),
    unexpectedInvites: [...received].filter((key) => !invites.published.has(key)).slice(0, 10),
    versionsWithTwoMessageIds: [...smtp.invites.values()].filter((ids) => new Set(ids).size > 1).length,
    resentInvites: [...smtp.invites.values()].reduce((sum, ids) => sum + ids.length - 1, 0),
    events: events.length,
    auditRows: audited.size,
    eventsMissingFromAudit: events.filter((event) => !audited.has(event.event_id)).length,
    deadLetters: Number(deadLetters[0].count),
    dlqMessages: await dlqMessages(kafka),
  };
}

interface InviteSets {
  /** Every attendee of every meeting version scheduling published. */
  published: Set<string>;
  /** Every attendee of each meeting's latest version: these must have their invite. */
  latest: Set<string>;
  /** Email deliveries notification recorded as sent. */
  sent: Set<string>;
}

/** Invite keys (`meeting|sequence|kind|recipient`) from what scheduling published and notification recorded. */
async function inviteSets(url: string): Promise<InviteSets> {
  const versions = await query<{
    meeting_id: string;
    sequence: number;
    kind: string;
    emails: string[];
    newest: number;
  }>(
    url,
    `SELECT meeting_id, sequence, kind, emails, max(sequence) OVER (PARTITION BY meeting_id) AS newest FROM (
       SELECT payload->>'meeting_id' AS meeting_id, (payload->'invite'->>'sequence')::int AS sequence,
              split_part(topic, '.', 2) AS kind,
              ARRAY(SELECT lower(a->>'email') FROM jsonb_array_elements(payload->'attendees') a) AS emails
         FROM scheduling.outbox o, LATERAL (SELECT o.value::jsonb AS payload) p
        WHERE topic LIKE 'meeting.%' AND topic NOT LIKE '%.dlq') v`,
  );
  const keys = (rows: typeof versions): string[] =>
    rows.flatMap((v) => v.emails.map((email) => `${v.meeting_id}|${v.sequence}|${v.kind}|${email}`));
  const sent = await query<{ key: string }>(
    url,
    `SELECT meeting_id || '|' || meeting_sequence || '|' || event_kind || '|' || lower(recipient) AS key
       FROM notification.deliveries WHERE channel = 'email' AND status = 'sent'`,
  );
  return {
    published: new Set(keys(versions)),
    latest: new Set(keys(versions.filter((v) => v.sequence === v.newest))),
    sent: new Set(sent.map((row) => row.key)),
  };
}

async function dlqMessages(kafka: PrivateKafka): Promise<number> {
  const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.endsWith('.dlq'));
    let total = 0;
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic))
        total += Number(partition.high) - Number(partition.low);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}
