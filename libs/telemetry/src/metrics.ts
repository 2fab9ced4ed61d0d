import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  register,
} from 'prom-client';

/**
 * Every Convene metric lives on prom-client's process-wide registry, so one scrape of a process
 * shows all the services it hosts (the embedded process: all five behind the gateway's /metrics).
 * The helpers return the metric already registered under a name instead of failing on a
 * duplicate, because a Nest app may be created more than once per process (tests, the embedded host).
 */
export const metricsRegistry = register;

/** Node's process metrics (CPU, memory, event loop lag, GC), registered once per process. */
export function collectProcessMetrics(): void {
  if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics({ register });
}

/** The counter named `config.name`, created on first use. */
export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
}

/** The histogram named `config.name`, created on first use. */
export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return (register.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram(config);
}

/** The gauge named `config.name`, created on first use. */
export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);
}

/** The Prometheus text exposition of everything registered in this process. */
export async function metricsExposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}

/** Seconds, for the latency buckets used across services (1 ms … 30 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const HTTP_LABELS = ['method', 'route', 'status'] as const;
type HttpLabel = (typeof HTTP_LABELS)[number];

function httpRequests(): Counter<HttpLabel> {
  return counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: HTTP_LABELS,
  });
}

function httpDuration(): Histogram<HttpLabel> {
  return histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route template and status.',
    labelNames: HTTP_LABELS,
    buckets: LATENCY_BUCKETS,
  });
}

/** Counts one answered request; `route` is the route template, never the raw URL (label cardinality). */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  httpRequests().inc(labels);
  httpDuration().observe(labels, seconds);
}
