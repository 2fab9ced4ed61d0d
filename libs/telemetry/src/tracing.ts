import { createRequire } from 'node:module';
import { context, propagation, type Span, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
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
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isProbe(request.url) }),
      new PgInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  patchKafkaJsForDynamicImport();
  active = { flush: flushTracerProvider, shutdown: () => sdk.shutdown() };
  return active;
}

function spanProcessorsFor(options: TracingOptions): SpanProcessor[] {
  if (options.exporter) return [new SimpleSpanProcessor({ exporter: options.exporter })];
  if (!options.endpoint) return [];
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  return [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })];
}

/**
 * NestJS 12 loads kafkajs with `import()`, which the kafkajs instrumentation's require hook never
 * sees. Requiring it once here puts the patched module in the CommonJS cache that `import()`
 * then reuses.
 */
function patchKafkaJsForDynamicImport(): void {
  try {
    createRequire(__filename)('kafkajs');
  } catch {
    // kafkajs is optional for a process that never talks to Kafka
  }
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
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return trace.getTracer('convene').startActiveSpan(name, { attributes }, async (span) => {
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

/** Starts tracing for a Convene process from its environment (OTEL_EXPORTER_OTLP_ENDPOINT). */
export function startProcessTracing(serviceName: string, version: string): TracingHandle {
  return startTracing({
    serviceName,
    version,
    environment: process.env.CONVENE_ENVIRONMENT ?? process.env.NODE_ENV ?? 'development',
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  });
}
