import type { DynamicModule } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { conveneVersion, loadEnv } from '#libs/config';
import type { ServiceName } from '#libs/persistence';
import { type HttpServiceOptions, startHttpService } from './boot';
import type { ServiceRuntime } from './service-runtime';

export type ServiceRegistration = (runtime: ServiceRuntime, options: { http: boolean }) => DynamicModule;

/**
 * Entry point of one service in distributed mode: validated environment, its own database role
 * from DATABASE_URL, its own HTTP port for /health, /ready and /metrics.
 */
export async function runServiceProcess(
  service: ServiceName,
  register: ServiceRegistration,
  http: Pick<HttpServiceOptions, 'adapter' | 'beforeListen'> = {},
): Promise<void> {
  const env = loadEnv();
  const runtime: ServiceRuntime = {
    env,
    databaseUrl: env.DATABASE_URL ?? '',
    version: conveneVersion(),
  };
  await startHttpService(register(runtime, { http: true }), {
    ...http,
    env,
    service,
    port: env.PORT,
    host: env.HOST,
  });
  new Logger(service).log({ msg: 'service started', port: env.PORT, host: env.HOST });
}
