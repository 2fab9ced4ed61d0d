/** Migrations of the gateway schema, oldest first. */
export const GATEWAY_MIGRATIONS = [];
