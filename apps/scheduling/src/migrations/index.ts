import { CreateSchedulingTables1764800000000 } from './1764800000000-create-scheduling-tables';

/** Migrations of the scheduling schema, oldest first. */
export const SCHEDULING_MIGRATIONS = [CreateSchedulingTables1764800000000];
