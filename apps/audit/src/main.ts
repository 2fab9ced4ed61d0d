import './instrument';
import 'reflect-metadata';
import { runServiceProcess } from '#libs/runtime';
import { AUDIT_DATABASE } from './audit.database';
import { AuditModule } from './audit.module';

void runServiceProcess('audit', (runtime, options) => AuditModule.register(runtime, options), {
  database: AUDIT_DATABASE,
}).catch((error: unknown) => {
  process.stderr.write(`audit failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
