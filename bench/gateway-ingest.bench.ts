import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  alertBody,
  gatewayDatabase,
  type RunningGateway,
  signedHeaders,
  startGateway,
} from '../test/gateway/support/gateway-harness';

// Accepted signed alerts per second through the whole gateway (rate limit, key, signature, replay
// nonce, validation, one transaction with the alert row and its outbox row) against a bare
// node:http server that reads the body and answers 202, same load generator, same run.
//   NODE_OPTIONS=--experimental-vm-modules ./scripts/node24.sh npx jest -c bench/jest.config.js bench/gateway-ingest.bench.ts
//   BENCH_REQUESTS (default 3000), BENCH_CONCURRENCY (default 16).
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP = 200;

interface Figures {
  target: string;
  accepted: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function bareServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'accepted', bytes: Buffer.concat(parts).length }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

function postOnce(agent: Agent, url: string): Promise<number> {
  const body = JSON.stringify(alertBody());
  const headers = signedHeaders(body);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/webhooks/chainsync/alert`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(target: string, url: string, total: number): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let issued = 0;
  let accepted = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < total) {
      issued += 1;
      const sent = performance.now();
      const status = await postOnce(agent, url);
      latencies.push(performance.now() - sent);
      if (status === 202) accepted += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
  return {
    target,
    accepted,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(accepted / seconds),
    p50: at(0.5),
    p99: at(0.99),
  };
}

it('measures accepted signed alerts per second against a bare node:http server', async () => {
  const database = await gatewayDatabase();
  const bare = await bareServer();
  let gateway: RunningGateway | undefined;
  try {
    gateway = await startGateway(database.database.url, { RATE_LIMIT_PER_MINUTE: '100000000' });
    await load('warm-up', gateway.url, WARMUP);
    await load('warm-up', bare.url, WARMUP);

    const results = [
      await load('node:http bare 202', bare.url, REQUESTS),
      await load('gateway /webhooks/chainsync/alert', gateway.url, REQUESTS),
    ];
    const outbox = await database.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'alert.received'`,
    );

    console.log(
      [
        `gateway ingest: ${REQUESTS} requests per target, concurrency ${CONCURRENCY}, node ${process.version}`,
        ...results.map(
          (r) =>
            `${r.target.padEnd(36)} ${String(r.perSecond).padStart(6)} accepted/s   p50 ${r.p50} ms   p99 ${r.p99} ms   (${r.accepted} accepted in ${r.seconds} s)`,
        ),
        `outbox rows written: ${outbox.rows[0]?.n}`,
      ].join('\n'),
    );
    expect(results.map((r) => r.accepted)).toEqual([REQUESTS, REQUESTS]);
  } finally {
    await gateway?.close();
    await new Promise((resolve) => bare.server.close(resolve));
    await database.close();
  }
});
