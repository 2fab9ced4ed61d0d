import './instrument';
import 'reflect-metadata';
import { type INestApplication, type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AnalysisModule } from '../../apps/analysis/src/analysis.module';
import { AuditQueryService } from '../../apps/audit/src/audit-query.service';
import { AuditModule } from '../../apps/audit/src/audit.module';
import { PipelineStatusService } from '../../apps/audit/src/pipeline-status.service';
import { configureGatewayHttp, createGatewayAdapter } from '../../apps/gateway/src/gateway-http';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { NotificationModule } from '../../apps/notification/src/notification.module';
import { SchedulingModule } from '../../apps/scheduling/src/scheduling.module';
import { conveneVersion, loadEnv } from '#libs/config';
import { InProcessBus } from '#libs/messaging';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '#libs/persistence';
import { createLogger, type ServiceRegistration, type ServiceRuntime, startHttpService } from '#libs/runtime';
import { renderBanner } from './banner';
import { InProcessAuditQuery } from './in-process-audit-query';
import { InProcessPipelineStatus } from './in-process-pipeline-status';
import { readableOnTerminal } from './log-format';
import { applyWebhookCredentials, resolveWebhookCredentials } from './webhook-credentials';

/** Started before the gateway so that its queries and the first webhook find them consuming. */
const BACKGROUND_SERVICES: [string, ServiceRegistration][] = [
  ['audit', (runtime, options) => AuditModule.register(runtime, options)],
  ['analysis', (runtime, options) => AnalysisModule.register(runtime, options)],
  ['scheduling', (runtime, options) => SchedulingModule.register(runtime, options)],
  ['notification', (runtime, options) => NotificationModule.register(runtime, options)],
];

/**
 * Convene in one process: the embedded PostgreSQL, one in-process bus shared by the five
 * services, and the gateway listening on HOST:PORT. Nothing to install beyond `npm ci`.
 */
async function main(): Promise<void> {
  const env = loadEnv(readableOnTerminal(process.env));
  Logger.overrideLogger(createLogger(env, 'convene'));
  const logger = new Logger('convene');
  const credentials = await resolveWebhookCredentials(env);
  applyWebhookCredentials(env, credentials);
  const database = await startEmbeddedPostgres(env.DATA_DIR);
  const bus = new InProcessBus();
  const runtime: ServiceRuntime = { env, databaseUrl: database.url, version: conveneVersion(), bus };

  const contexts: INestApplicationContext[] = [];
  for (const [name, register] of BACKGROUND_SERVICES) {
    const context = await NestFactory.createApplicationContext(register(runtime, { http: false }), {
      logger: createLogger(env, name),
    });
    contexts.push(context);
  }
  const auditQuery = new InProcessAuditQuery(contexts[0].get(AuditQueryService));
  const pipelineStatus = new InProcessPipelineStatus(contexts[0].get(PipelineStatusService));
  const gateway = await startHttpService(
    GatewayModule.register(runtime, { http: true }, { auditQuery, pipelineStatus }),
    {
      env,
      service: 'gateway',
      port: env.PORT,
      host: env.HOST,
      adapter: createGatewayAdapter(),
      beforeListen: configureGatewayHttp,
      shutdownHooks: false,
    },
  );
  bus.open();

  const url = `http://${env.HOST}:${env.PORT}`;
  logger.log({ msg: 'Convene is running', url, dataDir: env.DATA_DIR });
  process.stdout.write(`${renderBanner(url, credentials, env.DATA_DIR)}\n`);
  stopOnSignals(logger, gateway, contexts, bus, database);
}

function stopOnSignals(
  logger: Logger,
  gateway: INestApplication,
  contexts: INestApplicationContext[],
  bus: InProcessBus,
  database: EmbeddedDatabase,
): void {
  const shutdown = async (signal: string): Promise<void> => {
    logger.log({ msg: 'shutting down', signal });
    await gateway.close();
    for (const context of [...contexts].reverse()) await context.close();
    await bus.close();
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
