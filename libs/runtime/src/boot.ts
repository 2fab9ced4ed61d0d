import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConveneEnv } from '#libs/config';
import { nameServerSpan, observeHttpRequest } from '#libs/telemetry';

import { ConveneLogger, httpLoggingModule } from './convene-logger';

export function createLogger(env: ConveneEnv, service: string): ConveneLogger {
  return new ConveneLogger(env, service);
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

/** Hosts a service's root module beside the request logging, so the service module stays the same in every mode. */
@Module({})
class HttpServiceModule {}

/**
 * Creates a Nest application on Fastify for `rootModule`, with shutdown hooks, route-named server
 * spans, HTTP metrics (`http_requests_total`, `http_request_duration_seconds`) and one access log
 * line per request, and listens.
 */
export async function startHttpService(
  rootModule: DynamicModule,
  options: HttpServiceOptions,
): Promise<INestApplication> {
  const logger = createLogger(options.env, options.service);
  const root: DynamicModule = { module: HttpServiceModule, imports: [httpLoggingModule(logger), rootModule] };
  const app = await NestFactory.create<NestFastifyApplication>(root, options.adapter ?? new FastifyAdapter(), {
    logger,
    bufferLogs: true,
  });
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  instrumentHttp(app);
  await options.beforeListen?.(app);
  await app.listen(options.port, options.host);
  return app;
}

/** Route-named server spans and the HTTP metrics, for every request the app answers. */
function instrumentHttp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.url) nameServerSpan(request.method, request.routeOptions.url);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    observeHttpRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
