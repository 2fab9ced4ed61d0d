/** Migrations of the audit schema, oldest first. */
export const AUDIT_MIGRATIONS = [];
