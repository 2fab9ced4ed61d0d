import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import {
  currentTraceId,
  currentTraceparent,
  inSpan,
  inSpanContinuing,
  startTracing,
  traceIdOf,
  type TracingHandle,
} from './tracing';

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;

  beforeAll(() => {
    tracing = startTracing({ serviceName: 'convene-test', version: '0.0.0', environment: 'test', exporter });
  });

  afterAll(async () => {
    await tracing.shutdown();
  });

  it('gives the active span a trace id that its traceparent carries', async () => {
    const seen = await inSpan('unit.work', { 'alert.id': 'SEC-1' }, () =>
      Promise.resolve({ traceId: currentTraceId(), traceparent: currentTraceparent() }),
    );

    expect(seen.traceId).toMatch(/^[\da-f]{32}$/);
    expect(traceIdOf(seen.traceparent)).toBe(seen.traceId);
  });

  it('has no trace id outside a span', () => {
    expect(currentTraceId()).toBeNull();
    expect(currentTraceparent()).toBeNull();
  });

  it('marks the span as failed and rethrows when the work throws', async () => {
    await tracing.flush();
    exporter.reset();

    await expect(inSpan('unit.failing', {}, () => Promise.reject(new Error('calendar unreachable')))).rejects.toThrow(
      'calendar unreachable',
    );
    await tracing.flush();

    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('unit.failing');
    expect(span?.status.code).toBe(2);
    expect(span?.events.map((event) => event.name)).toContain('exception');
  });

  it('reads the trace id out of a traceparent header and rejects malformed ones', () => {
    expect(traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
    expect(traceIdOf('not-a-traceparent')).toBeNull();
    expect(traceIdOf(null)).toBeNull();
  });

  it('continues the trace of a stored traceparent as a child of its span', async () => {
    const stored = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await tracing.flush();
    exporter.reset();

    const traceId = await inSpanContinuing(stored, 'deliver email', {}, () => Promise.resolve(currentTraceId()));
    await tracing.flush();

    const [span] = exporter.getFinishedSpans();
    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a new trace when no traceparent was stored', async () => {
    const traceId = await inSpanContinuing(null, 'deliver email', {}, () => Promise.resolve(currentTraceId()));

    expect(traceId).toMatch(/^[\da-f]{32}$/);
    expect(traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
