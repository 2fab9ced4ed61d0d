/** Migrations of the notification schema, oldest first. */
export const NOTIFICATION_MIGRATIONS = [];
