import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { SCHEDULING_MIGRATIONS } from './migrations';

/** The scheduling service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class SchedulingModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: SchedulingModule,
      imports: [
        HealthModule.forService({ name: 'scheduling', version: runtime.version }, options),
        DatabaseModule.forService({
          service: 'scheduling',
          url: runtime.databaseUrl,
          entities: [],
          migrations: SCHEDULING_MIGRATIONS,
        }),
      ],
    };
  }
}
