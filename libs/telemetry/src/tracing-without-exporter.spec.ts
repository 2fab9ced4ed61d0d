import { currentTraceId, currentTraceparent, inSpan, startTracing, traceIdOf, type TracingHandle } from './tracing';

// Embedded mode's default: no OTLP endpoint. Nothing is exported, but spans must still be real ones,
// because their trace id goes back to the webhook caller, into the logs and into every audit row.
describe('tracing without an OTLP endpoint', () => {
  let tracing: TracingHandle;

  beforeAll(() => {
    tracing = startTracing({ serviceName: 'convene-test', version: '0.0.0', environment: 'test' });
  });

  afterAll(async () => {
    await tracing.shutdown();
  });

  it('still gives spans a real, sampled trace id that their traceparent carries', async () => {
    const seen = await inSpan('unit.work', {}, () =>
      Promise.resolve({ traceId: currentTraceId(), traceparent: currentTraceparent() }),
    );

    expect(seen.traceId).toMatch(/^[\da-f]{32}$/);
    expect(seen.traceId).not.toBe('0'.repeat(32));
    expect(traceIdOf(seen.traceparent)).toBe(seen.traceId);
    expect(seen.traceparent).toMatch(/-01$/);
  });
});
