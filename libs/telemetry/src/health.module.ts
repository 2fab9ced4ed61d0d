import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { collectProcessMetrics } from './metrics';
import { MetricsController } from './metrics.controller';
import { ReadinessService } from './readiness.service';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

/**
 * `/health`, `/ready` and `/metrics` for one service, with the readiness registry its modules add
 * checks to. Without HTTP (a background service of the embedded process) its metrics still
 * register and show on the host's /metrics.
 */
@Global()
@Module({})
export class HealthModule {
  static forService(identity: ServiceIdentity, options: { http: boolean }): DynamicModule {
    collectProcessMetrics();
    return {
      module: HealthModule,
      controllers: options.http ? [HealthController, MetricsController] : [],
      providers: [ReadinessService, { provide: SERVICE_IDENTITY, useValue: identity }],
      exports: [ReadinessService, SERVICE_IDENTITY],
    };
  }
}
