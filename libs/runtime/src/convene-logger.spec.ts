import { Controller, type DynamicModule, Get, Logger, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { loadEnv } from '#libs/config';
import { addToLogContext, inSpan, startTracing, type TracingHandle, withLogContext } from '#libs/telemetry';
import { startHttpService } from './boot';
import { ConveneLogger, redact } from './convene-logger';

/** Collects pino's lines; nestjs-pino keeps the first logger's destination for the whole file. */
class CapturedLines {
  private readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  take(): Record<string, unknown>[] {
    return this.lines.splice(0).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  pending(): boolean {
    return this.lines.length > 0;
  }

  takeRaw(): string {
    return this.lines.splice(0).join('');
  }
}

describe('ConveneLogger', () => {
  const captured = new CapturedLines();
  const env = loadEnv({ LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
  const logger = new ConveneLogger(env, 'gateway', captured);
  let tracing: TracingHandle;

  beforeAll(() => {
    tracing = startTracing({
      serviceName: 'convene-test',
      version: '0.0.0',
      environment: 'test',
      exporter: new InMemorySpanExporter(),
    });
  });

  afterAll(async () => {
    await tracing.shutdown();
  });

  afterEach(() => captured.take());

  it('writes a structured message as top-level JSON fields with secrets redacted', () => {
    logger.log({
      msg: 'alert accepted',
      alert_id: 'SEC-1',
      api_key: 'k-123',
      headers: { 'x-webhook-signature': 'abc', 'content-type': 'application/json' },
      body: '{"secret":"s"}',
    });
    const raw = captured.takeRaw();
    const line = JSON.parse(raw) as Record<string, unknown>;

    expect(line).toMatchObject({
      level: 'info',
      msg: 'alert accepted',
      alert_id: 'SEC-1',
      context: 'gateway',
      api_key: '[redacted]',
      headers: { 'x-webhook-signature': '[redacted]', 'content-type': 'application/json' },
      body: '[redacted]',
    });
    expect(line.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(raw).not.toContain('k-123');
    expect(raw).not.toContain('"abc"');
  });

  it('names the calling class as context and maps Nest levels onto pino labels', () => {
    const classLogger = new Logger('AlertIntakeService');
    Logger.overrideLogger(logger);

    classLogger.warn({ msg: 'replay nonces not pruned' });
    classLogger.error('store failed', 'Error: boom\n    at store (intake.ts:1:1)');

    const [warning, failure] = captured.take();
    expect(warning).toMatchObject({ level: 'warn', msg: 'replay nonces not pruned', context: 'AlertIntakeService' });
    expect(failure).toMatchObject({ level: 'error', context: 'AlertIntakeService', err: { message: 'store failed' } });
  });

  it('keeps Nest start-up lines out of the info level', () => {
    logger.log('AppModule dependencies initialized', 'InstanceLoader');

    expect(captured.take()).toEqual([]);
  });

  it('adds the scope alert_id and meeting_id to every line inside it, across awaits', async () => {
    await withLogContext({ alert_id: 'SEC-7' }, async () => {
      logger.log({ msg: 'analysing' });
      await new Promise((resolve) => setImmediate(resolve));
      addToLogContext({ meeting_id: 'mtg-7' });
      logger.log('booked');
    });
    logger.log('outside');

    const [analysing, booked, outside] = captured.take();
    expect(analysing).toMatchObject({ msg: 'analysing', alert_id: 'SEC-7' });
    expect(analysing).not.toHaveProperty('meeting_id');
    expect(booked).toMatchObject({ msg: 'booked', alert_id: 'SEC-7', meeting_id: 'mtg-7' });
    expect(outside).not.toHaveProperty('alert_id');
    expect(outside).not.toHaveProperty('meeting_id');
  });

  it('keeps concurrent scopes apart and lets a caller field win over the scope', async () => {
    await Promise.all([
      withLogContext({ alert_id: 'SEC-A' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.log('a');
      }),
      withLogContext({ alert_id: 'SEC-B' }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        logger.log({ msg: 'b', alert_id: 'SEC-OWN' });
      }),
    ]);

    const seen = captured.take().map((line) => `${String(line.msg)}:${String(line.alert_id)}`);
    expect(seen).toEqual(['b:SEC-OWN', 'a:SEC-A']);
  });

  it('takes trace_id and span_id from the active span, and writes none outside a span', async () => {
    const ids = await inSpan('unit.work', {}, (span) => {
      logger.log('inside a span');
      return Promise.resolve(span.spanContext());
    });
    logger.log('no span');

    const [inside, outside] = captured.take();
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
  });

  describe('access lines of an HTTP service', () => {
    let app: INestApplication;
    let baseUrl: string;

    @Controller('alerts')
    class AlertsController {
      @Get()
      list(): string[] {
        return [];
      }
    }

    @Module({ controllers: [AlertsController] })
    class EmptyModule {}

    beforeAll(async () => {
      const root: DynamicModule = { module: EmptyModule };
      app = await startHttpService(root, { env, service: 'gateway', port: 0, host: '127.0.0.1' });
      baseUrl = await app.getUrl();
      captured.take();
    });

    afterAll(async () => {
      await app.close();
    });

    it('writes one line per request with the credential headers redacted', async () => {
      await fetch(`${baseUrl}/alerts?limit=1`, {
        headers: { 'x-api-key': 'k-live-42', authorization: 'Bearer t-42', 'x-webhook-signature': 'sha256=ff' },
      });
      const raw = await nextLines();
      const [line] = raw
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text) as { msg: string; req: { url: string; headers: Record<string, string> } });

      expect(line.msg).toBe('request completed');
      expect(line.req.url).toBe('/alerts?limit=1');
      expect(line.req.headers).toMatchObject({
        'x-api-key': '[redacted]',
        authorization: '[redacted]',
        'x-webhook-signature': '[redacted]',
      });
      expect(raw).not.toContain('k-live-42');
      expect(raw).not.toContain('t-42');
    });

    it('writes no line for probes', async () => {
      await fetch(`${baseUrl}/health`);
      await fetch(`${baseUrl}/alerts`);

      const lines = (await nextLines()).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('"url":"/alerts"');
    });

    /** pino-http writes when the response has finished, which may be after the client has it. */
    async function nextLines(): Promise<string> {
      for (let waited = 0; waited < 2_000 && !captured.pending(); waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      return captured.takeRaw();
    }
  });
});

describe('redact', () => {
  it('replaces secret-looking keys at any depth and leaves the rest', () => {
    expect(
      redact({ alert_id: 'A', nested: { WEBHOOK_SECRET_KEY: 's', password: 'p', note: 'ok' }, body: '{"x":1}' }),
    ).toEqual({
      alert_id: 'A',
      nested: { WEBHOOK_SECRET_KEY: '[redacted]', password: '[redacted]', note: 'ok' },
      body: '[redacted]',
    });
  });
});
