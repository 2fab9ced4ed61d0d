import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { ConveneEnv } from '#libs/config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const LEVEL_INDEX = { silent: -1, fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 } as const;

/** Nest's own start-up chatter (one line per module and route): useful when debugging, noise otherwise. */
const BOOTSTRAP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** Field names whose values never reach a log line, whatever a caller passes. */
const REDACTED_FIELD = /(api[-_]?key|secret|password|passwd|token|signature|authorization|cookie|^body$|raw_?body)/i;
const REDACTED = '[redacted]';

type JsonLogOptions = Parameters<ConsoleLogger['getJsonLogObject']>[1];

/**
 * Nest's console logger as JSON lines (or coloured text with LOG_FORMAT=pretty), limited to
 * LOG_LEVEL. A structured message (`logger.log({ msg, alert_id })`) becomes top-level fields; the
 * active trace and span ids are added; secret-looking fields are redacted; the framework's
 * per-module start-up lines are demoted to debug.
 */
export class ConveneLogger extends ConsoleLogger {
  private readonly debugEnabled: boolean;

  constructor(env: ConveneEnv, context: string) {
    const wanted = LEVEL_INDEX[env.LOG_LEVEL as keyof typeof LEVEL_INDEX] ?? LEVEL_INDEX.info;
    super(context, {
      json: env.LOG_FORMAT === 'json',
      logLevels: LEVELS.slice(0, wanted + 1),
      colors: env.LOG_FORMAT !== 'json',
    });
    this.debugEnabled = wanted >= LEVEL_INDEX.debug;
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) {
      if (this.debugEnabled) super.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: JsonLogOptions,
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const base = super.getJsonLogObject(isRecord(message) ? (message.msg ?? '') : message, options);
    const spanContext = trace.getActiveSpan()?.spanContext();
    const traceFields = spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
    const fields = isRecord(message) ? redact(message) : {};
    delete fields.msg;
    return { ...traceFields, ...fields, ...base };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);
}

/** A copy of `fields` with secret-looking keys replaced, recursively. */
export function redact(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (REDACTED_FIELD.test(key)) out[key] = REDACTED;
    else if (isRecord(value) && depth < 4) out[key] = redact(value, depth + 1);
    else out[key] = value;
  }
  return out;
}
