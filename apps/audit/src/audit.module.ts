import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { AUDIT_MIGRATIONS } from './migrations';

/** The audit service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class AuditModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        HealthModule.forService({ name: 'audit', version: runtime.version }, options),
        DatabaseModule.forService({
          service: 'audit',
          url: runtime.databaseUrl,
          entities: [],
          migrations: AUDIT_MIGRATIONS,
        }),
      ],
    };
  }
}
