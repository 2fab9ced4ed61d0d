/** Migrations of the analysis schema, oldest first. */
export const ANALYSIS_MIGRATIONS = [];
