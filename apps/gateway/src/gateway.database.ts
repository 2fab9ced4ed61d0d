import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '#libs/messaging';
import type { ServiceDataSourceOptions } from '#libs/persistence';
import { GATEWAY_ENTITIES } from './persistence';
import { GATEWAY_MIGRATIONS } from './migrations';

/** The gateway schema: its tables (entities) and how they came to be (migrations), used by the module and `main.js migrate`. */
export const GATEWAY_DATABASE: Omit<ServiceDataSourceOptions, 'url'> = {
  service: 'gateway',
  entities: [...MESSAGING_ENTITIES, ...GATEWAY_ENTITIES],
  migrations: [...MESSAGING_MIGRATIONS, ...GATEWAY_MIGRATIONS],
};
