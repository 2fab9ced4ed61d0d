import { performance } from 'node:perf_hooks';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { EVENT_CATALOGUE } from '#libs/contracts';
import { paced } from './support/load';
import { ms, recordResult, type ResultRow } from './support/results';
import { type Fleet, requiredEnv, rssMb, sampleRss, SERVICES, startFleet } from './support/service-processes';
import { quantile, sleep } from './support/stats';

/*
 * Item 2 (and the per-service half of item 4): the five services as separate processes on Kafka
 * and PostgreSQL, the template analysis, a paced stream of new alerts. An outside subscriber in a
 * consumer group of its own reads `meeting.scheduled`, like any system downstream of Convene; the
 * latency of an alert runs from the moment its 202 was read to the moment its meeting event
 * arrived. RSS of every service idle (before the stream) and at its peak during the stream.
 *   BENCH_E2E_RATE (default 100 alerts/s), BENCH_E2E_SECONDS (default 60), BENCH_E2E_DRAIN_SECONDS (default 60).
 */
const RATE = Number(process.env.BENCH_E2E_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 60);
const DRAIN_SECONDS = Number(process.env.BENCH_E2E_DRAIN_SECONDS ?? 60);
const SCHEDULED = EVENT_CATALOGUE['meeting.scheduled'];

/** Subscribes before the stream starts; records the first `meeting.scheduled` of each alert. */
async function subscribe(received: Map<string, number>): Promise<Consumer> {
  const kafka = new Kafka({
    clientId: 'bench-subscriber',
    brokers: requiredEnv('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `bench-subscriber-${Date.now()}`, maxWaitTimeInMs: 20 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: SCHEDULED.topic, fromBeginning: false });
  await consumer.run({
    eachMessage: ({ message }) => {
      const at = performance.now();
      const type = message.headers?.ce_type?.toString();
      const alertId = message.key?.toString();
      if (type === SCHEDULED.type && alertId && !received.has(alertId)) received.set(alertId, at);
      return Promise.resolve();
    },
  });
  await joined;
  return consumer;
}

async function idleFootprint(fleet: Fleet): Promise<Map<string, number>> {
  await sleep(10_000);
  const idle = new Map<string, number>();
  for (const [service, child] of fleet.processes) idle.set(service, await rssMb(child.pid));
  return idle;
}

async function drain(accepted: ReadonlyMap<string, number>, received: ReadonlyMap<string, number>): Promise<void> {
  const deadline = Date.now() + DRAIN_SECONDS * 1000;
  while (Date.now() < deadline && [...accepted.keys()].some((id) => !received.has(id))) await sleep(250);
}

function footprintRows(idle: Map<string, number>, peak: Map<string, number>): ResultRow[] {
  return SERVICES.flatMap((service) => {
    const [atRest, loaded] = [idle.get(service) ?? 0, peak.get(service) ?? 0];
    return [
      {
        item: 4,
        measure: `${service} process, idle RSS`,
        value: `${atRest.toFixed(0)} MB`,
        goal: '< 150 MB',
        pass: atRest < 150,
      },
      { item: 4, measure: `${service} process, peak RSS under ${RATE} alerts/s`, value: `${loaded.toFixed(0)} MB` },
    ];
  });
}

it(`measures webhook accepted → meeting.scheduled received at ${RATE} alerts/s for ${SECONDS} s`, async () => {
  const fleet = await startFleet();
  const received = new Map<string, number>();
  let consumer: Consumer | undefined;
  try {
    const idle = await idleFootprint(fleet);
    consumer = await subscribe(received);
    const sampler = sampleRss(new Map([...fleet.processes].map(([service, child]) => [service, child.pid])));
    const stream = await paced(fleet.gatewayUrl, RATE, SECONDS);
    await drain(stream.acceptedAt, received);
    const peak = sampler.stop();

    // An alert whose meeting never arrived counts as infinitely late, so it cannot flatter the percentiles.
    const latencies = [...stream.acceptedAt].map(([id, at]) => (received.get(id) ?? Infinity) - at);
    const missing = latencies.filter((latency) => latency === Infinity).length;
    const [p50, p99] = [quantile(latencies, 0.5), quantile(latencies, 0.99)];
    const shown = (value: number): string => (value === Infinity ? `> ${DRAIN_SECONDS} s drain` : ms(value));
    recordResult({
      bench: 'end-to-end',
      summary: `${stream.accepted} alerts at ${(stream.sent / stream.seconds).toFixed(0)}/s for ${stream.seconds.toFixed(0)} s: p50 ${shown(p50)} (goal < 150 ms: ${p50 < 150 ? 'pass' : 'MISSED'}), p99 ${shown(p99)} (goal < 1 s: ${p99 < 1000 ? 'pass' : 'MISSED'}), ${missing} without a meeting event`,
      rows: [
        {
          item: 2,
          measure: `alerts sent / accepted (${RATE}/s for ${SECONDS} s, template AI)`,
          value: `${stream.sent} / ${stream.accepted}`,
        },
        { item: 2, measure: 'webhook answer p50 / p99 at that rate', value: `${ms(stream.p50)} / ${ms(stream.p99)}` },
        {
          item: 2,
          measure: '202 → meeting.scheduled received, p50',
          value: shown(p50),
          goal: '< 150 ms',
          pass: p50 < 150,
        },
        {
          item: 2,
          measure: '202 → meeting.scheduled received, p99',
          value: shown(p99),
          goal: '< 1 s',
          pass: p99 < 1000,
        },
        { item: 2, measure: '202 → meeting.scheduled received, max', value: shown(Math.max(...latencies)) },
        {
          item: 2,
          measure: 'accepted alerts without a meeting event',
          value: String(missing),
          goal: '0',
          pass: missing === 0,
        },
        ...footprintRows(idle, peak),
      ],
    });
    expect(stream.accepted).toBeGreaterThan(0);
  } finally {
    await consumer?.disconnect();
    await fleet.stop();
  }
});
