import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '#libs/messaging';
import type { ServiceDataSourceOptions } from '#libs/persistence';
import { AUDIT_MIGRATIONS } from './migrations';

// The audit tables are read and written with SQL (row locks, guarded upserts, jsonb), so no entities of its own.

/** The audit schema: its tables (entities) and how they came to be (migrations), used by the module and `main.js migrate`. */
export const AUDIT_DATABASE: Omit<ServiceDataSourceOptions, 'url'> = {
  service: 'audit',
  entities: MESSAGING_ENTITIES,
  migrations: [...MESSAGING_MIGRATIONS, ...AUDIT_MIGRATIONS],
};
