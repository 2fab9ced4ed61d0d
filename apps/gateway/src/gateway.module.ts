import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { GATEWAY_MIGRATIONS } from './migrations';

/** The gateway service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class GatewayModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        HealthModule.forService({ name: 'gateway', version: runtime.version }, options),
        DatabaseModule.forService({
          service: 'gateway',
          url: runtime.databaseUrl,
          entities: [],
          migrations: GATEWAY_MIGRATIONS,
        }),
      ],
    };
  }
}
