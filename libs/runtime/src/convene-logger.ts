import { ConsoleLogger, type LogLevel } from '@nestjs/common';
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

/**
 * Nest's console logger as JSON lines (or coloured text with LOG_FORMAT=pretty), limited to
 * LOG_LEVEL, with the framework's per-module start-up lines demoted to debug.
 */
export class ConveneLogger extends ConsoleLogger {
  private readonly verbose_: boolean;

  constructor(env: ConveneEnv, context: string) {
    const wanted = LEVEL_INDEX[env.LOG_LEVEL as keyof typeof LEVEL_INDEX] ?? LEVEL_INDEX.info;
    super(context, {
      json: env.LOG_FORMAT === 'json',
      logLevels: LEVELS.slice(0, wanted + 1),
      colors: env.LOG_FORMAT !== 'json',
    });
    this.verbose_ = wanted >= LEVEL_INDEX.debug;
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) {
      if (this.verbose_) super.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }
}
