import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MessagingModule } from '#libs/messaging';
import { DatabaseModule } from '#libs/persistence';
import { GATEWAY_DATABASE } from './gateway.database';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { GATEWAY_SETTINGS, gatewaySettings } from './gateway.config';
import { HttpPipelineStatusAdapter } from './observability/http-pipeline-status.adapter';
import { PipelineStatusPort } from './observability/pipeline-status.port';
import { StatusController } from './observability/status.controller';
import { AuditQueryPort } from './query/audit-query.port';
import { HttpAuditQueryAdapter } from './query/http-audit-query.adapter';
import { QueryController } from './query/query.controller';
import { ReportsController } from './query/reports.controller';
import { ReadKeyGuard, WebhookKeyGuard } from './security/access.guards';
import { ClientIpResolver } from './security/client-ip';
import { RateLimitMiddleware } from './security/rate-limit.middleware';
import { RateLimiter } from './security/rate-limiter';
import { AlertIntakeService } from './webhook/alert-intake.service';
import { AlertWebhookController } from './webhook/alert-webhook.controller';
import { MeetingWaitService } from './webhook/meeting-wait.service';
import { DashboardController } from './ui/dashboard.controller';
import { WebhookSignatureService } from './webhook/webhook-signature.service';

export interface GatewayExtras {
  /** The audit read models in-process (embedded mode); HTTP to AUDIT_URL when absent. */
  auditQuery?: AuditQueryPort;
  /** The audit pipeline status in-process (embedded mode); HTTP to AUDIT_URL when absent. */
  pipelineStatus?: PipelineStatusPort;
}

/**
 * The gateway service: everything it does, hosted alone or inside the embedded process. It consumes
 * nothing and publishes `alert.received` through its outbox. Start its HTTP server with
 * `createGatewayAdapter()` and `configureGatewayHttp` (gateway-http.ts).
 */
@Module({})
export class GatewayModule implements NestModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }, extras: GatewayExtras = {}): DynamicModule {
    const settings = gatewaySettings(runtime.env);
    const auditQuery: Provider = extras.auditQuery
      ? { provide: AuditQueryPort, useValue: extras.auditQuery }
      : { provide: AuditQueryPort, useClass: HttpAuditQueryAdapter };
    const pipelineStatus: Provider = extras.pipelineStatus
      ? { provide: PipelineStatusPort, useValue: extras.pipelineStatus }
      : { provide: PipelineStatusPort, useClass: HttpPipelineStatusAdapter };
    return {
      module: GatewayModule,
      imports: [
        HealthModule.forService({ name: 'gateway', version: runtime.version }, options),
        DatabaseModule.forService({ ...GATEWAY_DATABASE, url: runtime.databaseUrl }),
        MessagingModule.forService({ service: 'gateway', runtime, handlers: [] }),
      ],
      controllers: options.http
        ? [AlertWebhookController, QueryController, ReportsController, StatusController, DashboardController]
        : [],
      providers: [
        { provide: GATEWAY_SETTINGS, useValue: settings },
        { provide: RateLimiter, useFactory: () => new RateLimiter(settings.rateLimitPerMinute) },
        { provide: ClientIpResolver, useFactory: () => new ClientIpResolver(settings.trustedProxies) },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        auditQuery,
        pipelineStatus,
        WebhookKeyGuard,
        ReadKeyGuard,
        WebhookSignatureService,
        AlertIntakeService,
        MeetingWaitService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RateLimitMiddleware)
      .forRoutes(AlertWebhookController, QueryController, ReportsController, DashboardController);
  }
}
