/** Migrations of the scheduling schema, oldest first. */
export const SCHEDULING_MIGRATIONS = [];
