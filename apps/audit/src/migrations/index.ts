import { CreateAuditLog1764800000000 } from './1764800000000-create-audit-log';
import { CreateReadModels1764800000001 } from './1764800000001-create-read-models';
import { CreateObservedDeadLetters1765100000000 } from './1765100000000-create-observed-dead-letters';

/** Migrations of the audit schema, oldest first. */
export const AUDIT_MIGRATIONS = [
  CreateAuditLog1764800000000,
  CreateReadModels1764800000001,
  CreateObservedDeadLetters1765100000000,
];
