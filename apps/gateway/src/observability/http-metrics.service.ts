import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';
const LABELS = ['method', 'route', 'status'] as const;
type Label = (typeof LABELS)[number];

/**
 * HTTP request counter and latency histogram on prom-client's default registry, next to the
 * process metrics. Metrics are registered once per process, so a restarted app (tests, the
 * embedded host) reuses them instead of failing on a duplicate name.
 */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<Label>;
  private readonly duration: Histogram<Label>;

  constructor() {
    if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
    this.requests =
      (register.getSingleMetric(REQUESTS) as Counter<Label> | undefined) ??
      new Counter({ name: REQUESTS, help: 'HTTP requests answered, by route and status.', labelNames: LABELS });
    this.duration =
      (register.getSingleMetric(DURATION) as Histogram<Label> | undefined) ??
      new Histogram({
        name: DURATION,
        help: 'Time to answer HTTP requests, by route and status.',
        labelNames: LABELS,
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      });
  }

  /** `route` is the route template, never the raw URL, to keep the label set small. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: register.contentType, body: await register.metrics() };
  }
}
