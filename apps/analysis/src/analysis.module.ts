import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { ANALYSIS_MIGRATIONS } from './migrations';

/** The analysis service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class AnalysisModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: AnalysisModule,
      imports: [
        HealthModule.forService({ name: 'analysis', version: runtime.version }, options),
        DatabaseModule.forService({
          service: 'analysis',
          url: runtime.databaseUrl,
          entities: [],
          migrations: ANALYSIS_MIGRATIONS,
        }),
      ],
    };
  }
}
