import { type DynamicModule, RequestMethod } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { Logger as PinoNestLogger, LoggerModule, type Params, PinoLogger } from 'nestjs-pino';
import { type DestinationStream, type LevelWithSilent, stdTimeFunctions } from 'pino';
import type { Options as HttpLoggerOptions } from 'pino-http';
import type { ConveneEnv } from '#libs/config';
import { currentLogContext } from '#libs/telemetry';
import { PrettyLogStream } from './pretty-log-stream';

/** Nest's own start-up chatter (one line per module and route): useful when debugging, noise otherwise. */
const BOOTSTRAP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** Field names whose values never reach a log line, whatever a caller passes, at any depth. */
const REDACTED_FIELD = /(api[-_]?key|secret|password|passwd|token|signature|authorization|cookie|^body$|raw_?body)/i;
const REDACTED = '[redacted]';

/**
 * The request and response objects of pino-http's lines: their serializers pick the fields, and
 * these paths remove the credentials among the headers they keep.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-webhook-signature"]',
  'req.body',
  'res.headers["set-cookie"]',
];

/** Probes and scrapes answer every few seconds; an access line for each would drown the rest. */
const UNLOGGED_PATHS = new Set(['/health', '/ready', '/metrics']);

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Nest's logger service on pino (through nestjs-pino): one JSON line per call (coloured text with
 * LOG_FORMAT=pretty), limited to LOG_LEVEL. A structured message (`logger.log({ msg, alert_id })`)
 * becomes top-level fields; the active span's `trace_id`/`span_id` and the log scope's
 * `alert_id`/`meeting_id` (see `withLogContext`) are added to every line; secret-looking fields are
 * redacted; the framework's per-module start-up lines are demoted to debug.
 *
 * nestjs-pino keeps one pino logger per process, built by the first ConveneLogger: later ones share
 * its level and destination. Every service of a process reads the same environment, so they agree.
 */
export class ConveneLogger extends PinoNestLogger {
  /** What `httpLoggingModule` mounts, so the access lines are written by the same pino logger. */
  readonly params: Params;
  private readonly debugEnabled: boolean;

  /** `destination` defaults to stdout (through the pretty formatter with LOG_FORMAT=pretty). */
  constructor(env: ConveneEnv, context: string, destination?: DestinationStream) {
    const output = destination ?? (env.LOG_FORMAT === 'pretty' ? new PrettyLogStream() : undefined);
    const params: Params = { pinoHttp: output ? [loggerOptions(env), output] : loggerOptions(env) };
    const pinoLogger = new PinoLogger(params);
    pinoLogger.setContext(context);
    super(pinoLogger, params);
    this.params = params;
    const level = levelOf(env);
    this.debugEnabled = level === 'debug' || level === 'trace';
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) {
      if (this.debugEnabled) super.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }
}

/**
 * nestjs-pino's module for an HTTP app: pino-http writes one `request completed` line per answered
 * request (not for /health, /ready, /metrics), with method, url, status and response time.
 */
export function httpLoggingModule(logger: ConveneLogger): DynamicModule {
  // nestjs-pino's default route, `{/*splat}`, matches no request on Nest 12's Fastify adapter.
  return LoggerModule.forRoot({ ...logger.params, forRoutes: [{ path: '/{*splat}', method: RequestMethod.ALL }] });
}

function loggerOptions(env: ConveneEnv): HttpLoggerOptions {
  return {
    level: levelOf(env),
    timestamp: stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => redact(fields, 0, ['req', 'res']),
    },
    mixin: lineContext,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    quietReqLogger: true,
    autoLogging: { ignore: isProbe },
  };
}

/** Nest's Fastify adapter hands middleware a `url` stripped to `/`; the request's own is `originalUrl`. */
function isProbe(request: IncomingMessage & { originalUrl?: string }): boolean {
  return UNLOGGED_PATHS.has((request.originalUrl ?? request.url ?? '').split('?')[0]);
}

function levelOf(env: ConveneEnv): LevelWithSilent {
  return LEVELS.find((level) => level === env.LOG_LEVEL) ?? 'info';
}

/** Fields of every line; a caller's own `alert_id` wins over the scope's (pino merges the mixin first). */
function lineContext(): Record<string, string | undefined> {
  const span = trace.getActiveSpan()?.spanContext();
  const traceFields = span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
  return { ...traceFields, ...currentLogContext() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);
}

/** A copy of `fields` with secret-looking keys replaced, recursively; `keep` keys pass untouched. */
export function redact(fields: Record<string, unknown>, depth = 0, keep: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (keep.includes(key)) out[key] = value;
    else if (REDACTED_FIELD.test(key)) out[key] = REDACTED;
    else if (isRecord(value) && depth < 4) out[key] = redact(value, depth + 1);
    else out[key] = value;
  }
  return out;
}
