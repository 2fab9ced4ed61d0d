import { CreateDeliveries1764900000000 } from './1764900000000-create-deliveries';
import { AddDeliveryTraceparent1765000000000 } from './1765000000000-add-delivery-traceparent';

/** Migrations of the notification schema, oldest first. */
export const NOTIFICATION_MIGRATIONS = [CreateDeliveries1764900000000, AddDeliveryTraceparent1765000000000];
