import { CreateReceivedAlerts1764800000000 } from './1764800000000-create-received-alerts';

/** Migrations of the gateway schema, oldest first. */
export const GATEWAY_MIGRATIONS = [CreateReceivedAlerts1764800000000];
