import { CreateDeliveries1764900000000 } from './1764900000000-create-deliveries';

/** Migrations of the notification schema, oldest first. */
export const NOTIFICATION_MIGRATIONS = [CreateDeliveries1764900000000];
