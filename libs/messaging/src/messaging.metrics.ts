import { counter, gauge, histogram } from '#libs/telemetry';
import type { DataSource } from 'typeorm';
import type { BusTransport } from './transport';

export type HandlingOutcome = 'handled' | 'duplicate' | 'retried' | 'dead_lettered';

const HANDLING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function handlingDuration() {
  return histogram({
    name: 'convene_consumer_handling_duration_seconds',
    help: 'Time one handler attempt took (transaction included), by consumer group, topic and outcome.',
    labelNames: ['group', 'topic', 'outcome'] as const,
    buckets: HANDLING_BUCKETS,
  });
}

function deadLetters() {
  return counter({
    name: 'convene_dead_letters_total',
    help: 'Messages given up on and sent to <topic>.dlq, by consumer group, topic and error code.',
    labelNames: ['group', 'topic', 'code'] as const,
  });
}

/** Records one handler attempt that started at `startedAt` (performance.now()). */
export function observeHandling(group: string, topic: string, outcome: HandlingOutcome, startedAt: number): void {
  handlingDuration().observe({ group, topic, outcome }, (performance.now() - startedAt) / 1000);
}

export function recordDeadLetter(group: string, topic: string, code: string): void {
  deadLetters().inc({ group, topic, code });
}

interface ObservedMessaging {
  service: string;
  group: string;
  dataSource: DataSource;
  transport: BusTransport;
  topics: string[];
}

/** What each service of the process registered; read when Prometheus scrapes, never in between. */
const observed = new Map<string, ObservedMessaging>();

/**
 * Makes the outbox backlog and consumer lag of one service part of every scrape. The gauges are
 * collected on scrape with one query each, so an idle service costs nothing.
 */
export function observeMessaging(source: ObservedMessaging): () => void {
  registerBacklogGauges();
  observed.set(source.service, source);
  return () => {
    if (observed.get(source.service) === source) observed.delete(source.service);
  };
}

function registerBacklogGauges(): void {
  gauge({
    name: 'convene_outbox_unsent_messages',
    help: 'Outbox rows not yet published, by service (collected on scrape).',
    labelNames: ['service'] as const,
    async collect() {
      this.reset();
      for (const source of observed.values()) {
        const backlog = await outboxBacklog(source.dataSource);
        if (backlog) this.set({ service: source.service }, backlog.unsent);
      }
    },
  });
  gauge({
    name: 'convene_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unpublished outbox row, by service; 0 when the outbox is drained.',
    labelNames: ['service'] as const,
    async collect() {
      this.reset();
      for (const source of observed.values()) {
        const backlog = await outboxBacklog(source.dataSource);
        if (backlog) this.set({ service: source.service }, backlog.oldestSeconds);
      }
    },
  });
  gauge({
    name: 'convene_consumer_lag_messages',
    help: 'Messages on a topic not yet processed by a consumer group: Kafka end offset minus committed offset; in-process: queued deliveries.',
    labelNames: ['group', 'topic'] as const,
    async collect() {
      this.reset();
      for (const source of observed.values()) {
        if (source.topics.length === 0 || !source.transport.lag) continue;
        const lag = await withinScrape(source.transport.lag(source.group, source.topics));
        for (const [topic, messages] of Object.entries(lag)) this.set({ group: source.group, topic }, messages);
      }
    },
  });
}

const LAG_TIMEOUT_MS = 2_000;

/** The broker's answer, or nothing when it is down or slow: a scrape must not wait for Kafka's retries. */
async function withinScrape(lag: Promise<Record<string, number>>): Promise<Record<string, number>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Record<string, number>>((resolve) => {
    timer = setTimeout(() => resolve({}), LAG_TIMEOUT_MS);
  });
  try {
    return await Promise.race([lag.catch(() => ({})), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function outboxBacklog(dataSource: DataSource): Promise<{ unsent: number; oldestSeconds: number } | null> {
  if (!dataSource.isInitialized) return null;
  try {
    const [row] = await dataSource.query<{ unsent: string; oldest: number | null }[]>(
      `SELECT count(*) AS unsent, extract(epoch FROM now() - min(created_at))::float8 AS oldest
         FROM outbox WHERE sent_at IS NULL`,
    );
    return { unsent: Number(row?.unsent ?? 0), oldestSeconds: Number(row?.oldest ?? 0) };
  } catch {
    // A scrape during a database outage shows no sample rather than failing the whole exposition.
    return null;
  }
}
