import { ConsoleLogger, type DynamicModule, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConveneEnv } from '#libs/config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's logger, as JSON lines unless LOG_FORMAT=pretty, limited to LOG_LEVEL and above. */
export function createLogger(env: ConveneEnv, service: string): ConsoleLogger {
  const wanted = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5, silent: -1 }[env.LOG_LEVEL] ?? 3;
  return new ConsoleLogger(service, {
    json: env.LOG_FORMAT === 'json',
    logLevels: LEVELS.slice(0, wanted + 1),
    colors: env.LOG_FORMAT !== 'json',
  });
}

export interface HttpServiceOptions {
  env: ConveneEnv;
  service: string;
  port: number;
  host: string;
  /** Fastify adapter options (body limits, proxy trust) for services that need them. */
  adapter?: FastifyAdapter;
  beforeListen?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Let Nest close the app on SIGTERM/SIGINT; off when the host process orchestrates shutdown. */
  shutdownHooks?: boolean;
}

/** Creates a Nest application on Fastify for `rootModule`, with shutdown hooks, and listens. */
export async function startHttpService(
  rootModule: DynamicModule,
  options: HttpServiceOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, options.adapter ?? new FastifyAdapter(), {
    logger: createLogger(options.env, options.service),
    bufferLogs: true,
  });
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  await options.beforeListen?.(app);
  await app.listen(options.port, options.host);
  return app;
}
