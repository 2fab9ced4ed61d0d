import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
// TODO(#13): NodeSDK also loads the logs and metrics SDKs, gRPC/Zipkin/Prometheus exporters and a YAML
// config parser Convene never uses (~130 modules, ~2 MB heap per process); the trace provider alone would do.
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  version: string;
  environment: string;
  /** OTLP/HTTP base endpoint; spans are exported only when it (or `exporter`) is given. */
  endpoint?: string;
  /** An exporter fed span by span as spans end (tests collect spans in memory with it). */
  exporter?: SpanExporter;
}

export interface TracingHandle {
  /** Exports every ended span that is still buffered. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let active: TracingHandle | undefined;

/**
 * Starts the OpenTelemetry SDK for this process. Call it before anything loads http, pg or
 * kafkajs (each app's `instrument.ts` is its first import). Spans and trace ids exist even when
 * nothing is exported, so the webhook caller and the audit log always get a trace id.
 */
export function startTracing(options: TracingOptions): TracingHandle {
  if (active) return active;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.version,
      'deployment.environment.name': options.environment,
    }),
    spanProcessors: spanProcessorsFor(options),
    // No kafkajs instrumentation: it starts a root span for every fetched batch and every send
    // (the relay publishes outside any request), which splits one alert into a dozen traces. The
    // messaging layer's own `publish <topic>` and `consume <topic>` spans carry the context instead.
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isProbe(request.url) }),
      // A span per statement, none per pool checkout: the `pg-pool.connect` spans doubled the
      // database spans of every trace and a share of each service's tracing cost, and showed only
      // a wait that the statement spans after them show too.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  sdk.start();
  active = { flush: flushTracerProvider, shutdown: () => sdk.shutdown() };
  return active;
}

function spanProcessorsFor(options: TracingOptions): SpanProcessor[] {
  if (options.exporter) return [new SimpleSpanProcessor({ exporter: options.exporter })];
  // The SDK registers no tracer provider without a processor, and every span would then be a
  // non-recording one with an all-zero trace id: no trace id in logs, audit rows or the webhook's
  // answer. Spans are still made, only not exported.
  if (!options.endpoint) return [new NoopSpanProcessor()];
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  return [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })];
}

async function flushTracerProvider(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.();
}

function isProbe(url: string | undefined): boolean {
  return url === '/health' || url === '/ready' || url === '/metrics';
}

/** The W3C `traceparent` of the active span, if any. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The trace id of the active span, or null outside any trace. */
export function currentTraceId(): string | null {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : null;
}

/** The trace id inside a W3C `traceparent` header value. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '');
  return match?.[1] ?? null;
}

/**
 * Runs `work` inside a new active span named `name`, recording an exception and an error status
 * when it throws. Use it for consumer handlers and outbound calls.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  options: { kind?: SpanKind } = {},
): Promise<T> {
  return trace.getTracer('convene').startActiveSpan(name, { attributes, kind: options.kind }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `work` in a span that continues the trace of `traceparent` (a stored W3C header value),
 * for work that resumes outside the request or message that started it (a delivery worker). A
 * missing or malformed value starts a new trace.
 */
export function inSpanContinuing<T>(
  traceparent: string | null | undefined,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  options: { kind?: SpanKind } = {},
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return context.with(parent, () => inSpan(name, attributes, work, options));
}

/** Records a decision on the active span (`urgency.assessed`, `slot.chosen` …); a no-op outside a trace. */
export function addSpanEvent(name: string, attributes: Attributes = {}): void {
  trace.getActiveSpan()?.addEvent(name, attributes);
}

/**
 * Names the active HTTP server span after its route template (`POST /webhooks/chainsync/alert`);
 * the http instrumentation only knows the method, the framework knows the route.
 */
export function nameServerSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  span?.updateName(`${method} ${route}`);
  span?.setAttribute('http.route', route);
}

/** Adds attributes to the active span (the HTTP server span, a consumer span); a no-op outside a trace. */
export function setSpanAttributes(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Starts tracing for a Convene process from its environment (OTEL_EXPORTER_OTLP_ENDPOINT). */
export function startProcessTracing(serviceName: string, version: string): TracingHandle {
  return startTracing({
    serviceName,
    version,
    environment: process.env.CONVENE_ENVIRONMENT ?? process.env.NODE_ENV ?? 'development',
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  });
}
