import 'reflect-metadata';
import { runAuditCommand } from './audit-database.cli';
import { AuditLogService } from './audit-log.service';

// Walks the audit chain and prints the verification as JSON; exits 1 when a link is broken.
void runAuditCommand('audit verify', async (dataSource) => {
  const result = await new AuditLogService().verify(dataSource);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.ok;
});
