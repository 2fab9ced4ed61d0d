import type { DynamicModule } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { conveneVersion, type ConveneEnv, loadEnv } from '#libs/config';
import { openServiceDatabase, type ServiceDataSourceOptions, type ServiceName } from '#libs/persistence';
import { type HttpServiceOptions, startHttpService } from './boot';
import { ConveneLogger } from './convene-logger';
import type { ServiceRuntime } from './service-runtime';

export type ServiceRegistration = (runtime: ServiceRuntime, options: { http: boolean }) => DynamicModule;

export interface ServiceProcessOptions {
  /** The service's schema, for `main.js migrate`. */
  database: Omit<ServiceDataSourceOptions, 'url'>;
  http?: Pick<HttpServiceOptions, 'adapter' | 'beforeListen'>;
}

/**
 * Entry point of one service in distributed mode: validated environment, its own database role
 * from DATABASE_URL, its own HTTP port for /health, /ready and /metrics. With the argument
 * `migrate` it applies the schema's pending migrations and exits instead (the Helm hook and the
 * compose migrations step run it).
 */
export async function runServiceProcess(
  service: ServiceName,
  register: ServiceRegistration,
  options: ServiceProcessOptions,
): Promise<void> {
  const migrating = process.argv[2] === 'migrate';
  const env = loadEnv(process.env, { forMigrations: migrating });
  Logger.overrideLogger(new ConveneLogger(env, service));
  if (migrating) {
    await migrate(env, service, options.database);
    return;
  }
  const runtime: ServiceRuntime = { env, databaseUrl: requireDatabaseUrl(env), version: conveneVersion() };
  await startHttpService(register(runtime, { http: true }), {
    ...options.http,
    env,
    service,
    port: env.PORT,
    host: env.HOST,
  });
  new Logger(service).log({ msg: 'service started', port: env.PORT, host: env.HOST });
}

async function migrate(
  env: ConveneEnv,
  service: ServiceName,
  database: ServiceProcessOptions['database'],
): Promise<void> {
  const logger = new Logger(service);
  const dataSource = await openServiceDatabase({ ...database, url: requireDatabaseUrl(env) });
  const applied: unknown[] = await dataSource.query('SELECT name FROM migrations');
  await dataSource.destroy();
  logger.log({ msg: 'migrations applied', schema: service, migrations: applied.length });
}

function requireDatabaseUrl(env: ConveneEnv): string {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required to run a service on its own');
  return env.DATABASE_URL;
}
