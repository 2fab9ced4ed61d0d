import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

/** `/health` and `/ready` for one service, with the readiness registry its modules add checks to. */
@Global()
@Module({})
export class HealthModule {
  static forService(identity: ServiceIdentity, options: { http: boolean }): DynamicModule {
    return {
      module: HealthModule,
      controllers: options.http ? [HealthController] : [],
      providers: [ReadinessService, { provide: SERVICE_IDENTITY, useValue: identity }],
      exports: [ReadinessService, SERVICE_IDENTITY],
    };
  }
}
