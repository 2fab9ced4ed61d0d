import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ReadinessService } from '#libs/telemetry';
import { DataSource } from 'typeorm';
import { openServiceDatabase, type ServiceDataSourceOptions } from './service-data-source';

const DATA_SOURCE_OPTIONS = Symbol('DATA_SOURCE_OPTIONS');

/**
 * Gives a service its own TypeORM DataSource, migrated at start, checked by /ready and closed on
 * shutdown. Inject `DataSource` to use it.
 */
@Global()
@Module({})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
    @Inject(DATA_SOURCE_OPTIONS) private readonly options: ServiceDataSourceOptions,
  ) {}

  static forService(options: ServiceDataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE_OPTIONS, useValue: options },
        { provide: DataSource, useFactory: () => openServiceDatabase(options) },
      ],
      exports: [DataSource],
    };
  }

  onModuleInit(): void {
    this.readiness.register(`database:${this.options.service}`, async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
