import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

/** The five services; each owns one PostgreSQL schema of the same name. */
export const SERVICE_NAMES = ['gateway', 'analysis', 'scheduling', 'notification', 'audit'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceDataSourceOptions {
  service: ServiceName;
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/**
 * A TypeORM data source confined to one service's schema: its tables, its migrations table, and a
 * search_path that keeps unqualified names inside the schema. Schema changes go through
 * migrations only; `synchronize` stays off.
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.service,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: {
      max: options.poolSize ?? 10,
      options: `-c search_path=${options.service}`,
      application_name: `convene-${options.service}`,
    },
  });
}

/**
 * Creates the service's schema when the connecting role may do so (embedded mode connects as the
 * superuser; in distributed mode the infrastructure has created it and this is a no-op).
 */
export async function ensureSchema(dataSource: DataSource, service: ServiceName): Promise<void> {
  const existing: unknown[] = await dataSource.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [service]);
  if (existing.length === 0) await dataSource.query(`CREATE SCHEMA "${service}"`);
}

/** Initialises the data source, creates the schema if needed and applies pending migrations. */
export async function openServiceDatabase(options: ServiceDataSourceOptions): Promise<DataSource> {
  const dataSource = createServiceDataSource(options);
  await dataSource.initialize();
  await ensureSchema(dataSource, options.service);
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
