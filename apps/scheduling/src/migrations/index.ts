import { CreateSchedulingTables1764800000000 } from './1764800000000-create-scheduling-tables';
import { IndexMeetingSystems1765200000000 } from './1765200000000-index-meeting-systems';
import { IndexBusyTimes1765200000001 } from './1765200000001-index-busy-times';

/** Migrations of the scheduling schema, oldest first. */
export const SCHEDULING_MIGRATIONS = [
  CreateSchedulingTables1764800000000,
  IndexMeetingSystems1765200000000,
  IndexBusyTimes1765200000001,
];
