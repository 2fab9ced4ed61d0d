import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '#libs/persistence';
import type { ServiceRuntime } from '#libs/runtime';
import { HealthModule } from '#libs/telemetry';
import { NOTIFICATION_MIGRATIONS } from './migrations';

/** The notification service: everything it does, hosted alone or inside the embedded process. */
@Module({})
export class NotificationModule {
  static register(runtime: ServiceRuntime, options: { http: boolean }): DynamicModule {
    return {
      module: NotificationModule,
      imports: [
        HealthModule.forService({ name: 'notification', version: runtime.version }, options),
        DatabaseModule.forService({
          service: 'notification',
          url: runtime.databaseUrl,
          entities: [],
          migrations: NOTIFICATION_MIGRATIONS,
        }),
      ],
    };
  }
}
