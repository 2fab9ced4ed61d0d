import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '#libs/messaging';
import type { ServiceDataSourceOptions } from '#libs/persistence';
import { Delivery } from './deliveries/delivery.entity';
import { NOTIFICATION_MIGRATIONS } from './migrations';

export const NOTIFICATION_ENTITIES = [Delivery];

/** The notification schema: its tables (entities) and how they came to be (migrations), used by the module and `main.js migrate`. */
export const NOTIFICATION_DATABASE: Omit<ServiceDataSourceOptions, 'url'> = {
  service: 'notification',
  entities: [...MESSAGING_ENTITIES, ...NOTIFICATION_ENTITIES],
  migrations: [...MESSAGING_MIGRATIONS, ...NOTIFICATION_MIGRATIONS],
};
