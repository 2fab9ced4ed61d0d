import './instrument';
import 'reflect-metadata';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AnalysisModule } from '../../apps/analysis/src/analysis.module';
import { AuditModule } from '../../apps/audit/src/audit.module';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { NotificationModule } from '../../apps/notification/src/notification.module';
import { SchedulingModule } from '../../apps/scheduling/src/scheduling.module';
import { conveneVersion, loadEnv } from '#libs/config';
import { startEmbeddedPostgres } from '#libs/persistence';
import { renderBanner } from './banner';
import { applyWebhookCredentials, resolveWebhookCredentials } from './webhook-credentials';
import { createLogger, type ServiceRegistration, type ServiceRuntime, startHttpService } from '#libs/runtime';

const BACKGROUND_SERVICES: [string, ServiceRegistration][] = [
  ['analysis', (runtime, options) => AnalysisModule.register(runtime, options)],
  ['scheduling', (runtime, options) => SchedulingModule.register(runtime, options)],
  ['notification', (runtime, options) => NotificationModule.register(runtime, options)],
  ['audit', (runtime, options) => AuditModule.register(runtime, options)],
];

/**
 * Convene in one process: the embedded PostgreSQL, the five services, and the gateway listening
 * on HOST:PORT. Nothing to install beyond `npm ci`.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  Logger.overrideLogger(createLogger(env, 'convene'));
  const logger = new Logger('convene');
  const credentials = await resolveWebhookCredentials(env);
  applyWebhookCredentials(env, credentials);
  const database = await startEmbeddedPostgres(env.DATA_DIR);
  const runtime: ServiceRuntime = { env, databaseUrl: database.url, version: conveneVersion() };

  const contexts: INestApplicationContext[] = [];
  for (const [name, register] of BACKGROUND_SERVICES) {
    const context = await NestFactory.createApplicationContext(register(runtime, { http: false }), {
      logger: createLogger(env, name),
    });
    contexts.push(context);
  }
  const gateway = await startHttpService(GatewayModule.register(runtime, { http: true }), {
    env,
    service: 'gateway',
    port: env.PORT,
    host: env.HOST,
    shutdownHooks: false,
  });
  const url = `http://${env.HOST}:${env.PORT}`;
  logger.log({ msg: 'Convene is running', url, dataDir: env.DATA_DIR });
  process.stdout.write(`${renderBanner(url, credentials, env.DATA_DIR)}\n`);

  const shutdown = async (signal: string): Promise<void> => {
    logger.log({ msg: 'shutting down', signal });
    await gateway.close();
    for (const context of contexts.reverse()) await context.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Convene failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
