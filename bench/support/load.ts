import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { alertFactory, signWebhook } from '../../test/support/webhook';
import { BENCH_CREDENTIALS } from './service-processes';
import { quantile, sleep } from './stats';

const TYPES = ['security_incident', 'system_failure', 'compliance_violation', 'capacity_warning'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
let sequence = 0;

/**
 * A freshly signed webhook delivery of a new alert. Each alert has a system of its own, so that
 * alerts do not correlate into one another's meetings and every one books a meeting.
 */
export function nextDelivery(): { alertId: string; body: string; headers: Record<string, string> } {
  sequence += 1;
  const alertId = `BENCH-${process.pid}-${Date.now()}-${sequence}`;
  const alert = alertFactory({
    alert_id: alertId,
    alert_type: TYPES[sequence % TYPES.length],
    severity: SEVERITIES[Math.floor(sequence / TYPES.length) % SEVERITIES.length],
    affected_systems: [`bench-svc-${sequence}`],
  });
  const { body, headers } = signWebhook(JSON.stringify(alert), BENCH_CREDENTIALS);
  return { alertId, body, headers };
}

/** One POST; resolves with the status when the answer has been read to its end. */
export function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface LoadFigures {
  requests: number;
  accepted: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Closed loop at fixed concurrency: each of `concurrency` workers sends the next signed alert as
 * soon as its previous one was answered. The same generator runs against every target.
 */
export async function closedLoop(baseUrl: string, requests: number, concurrency: number): Promise<LoadFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = `${baseUrl}/webhooks/chainsync/alert`;
  const latencies: number[] = [];
  let issued = 0;
  let accepted = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < requests) {
      issued += 1;
      const { body, headers } = nextDelivery();
      const sent = performance.now();
      const status = await post(agent, url, body, headers);
      latencies.push(performance.now() - sent);
      if (status === 202) accepted += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    requests,
    accepted,
    seconds,
    perSecond: accepted / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

export interface PacedFigures {
  sent: number;
  accepted: number;
  failed: number;
  /** From the first request sent to the last one sent: the window the schedule asked for. */
  sendSeconds: number;
  /** Requests sent per second over that window: below the asked rate when the generator fell behind. */
  sendRate: number;
  /** From the first request sent to the last answer read. */
  seconds: number;
  /** When each accepted alert's 202 was read, in epoch milliseconds (comparable across processes). */
  acceptedAt: Map<string, number>;
  p50: number;
  p99: number;
}

/**
 * Open loop: one new alert every 1/rate s on an absolute schedule, whether or not earlier ones were
 * answered, as ChainSync would send them; a slow answer does not slow the arrivals. The achieved
 * send rate is measured, not assumed: a generator that falls behind its schedule shows it.
 */
export async function paced(baseUrl: string, ratePerSecond: number, seconds: number): Promise<PacedFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = `${baseUrl}/webhooks/chainsync/alert`;
  const total = Math.round(ratePerSecond * seconds);
  const acceptedAt = new Map<string, number>();
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let failed = 0;
  let lastSent = 0;
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const { alertId, body, headers } = nextDelivery();
    const sent = performance.now();
    lastSent = sent;
    inFlight.push(
      post(agent, url, body, headers).then(
        (status) => {
          const answered = performance.now();
          latencies.push(answered - sent);
          if (status === 202) acceptedAt.set(alertId, performance.timeOrigin + answered);
          else failed += 1;
        },
        () => {
          failed += 1;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  // n sends span n - 1 intervals of the schedule.
  const sendSeconds = (lastSent - started) / 1000;
  return {
    sent: total,
    accepted: acceptedAt.size,
    failed,
    sendSeconds,
    sendRate: total > 1 && sendSeconds > 0 ? (total - 1) / sendSeconds : total,
    seconds: (performance.now() - started) / 1000,
    acceptedAt,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}
