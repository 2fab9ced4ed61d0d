import { context, type Context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';

export interface TraceCarrier {
  traceparent: string | null;
  tracestate: string | null;
}

/** The W3C trace context active now, as the outbox row stores it (nulls outside any trace). */
export function captureTraceContext(): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { traceparent: carrier.traceparent ?? null, tracestate: carrier.tracestate ?? null };
}

/** A context whose parent is the span described by the carrier (a header map or an outbox row). */
export function contextFrom(carrier: Record<string, string | null | undefined>): Context {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(carrier)) if (typeof value === 'string') headers[name] = value;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Writes the context's trace headers (`traceparent`, `tracestate`) into `headers`. */
export function injectInto(active: Context, headers: Record<string, string>): void {
  propagation.inject(active, headers);
}

export const tracer = trace.getTracer('convene-messaging');
