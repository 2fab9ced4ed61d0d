import './instrument';
import 'reflect-metadata';
import { runServiceProcess } from '#libs/runtime';
import { SCHEDULING_DATABASE } from './scheduling.database';
import { SchedulingModule } from './scheduling.module';

void runServiceProcess('scheduling', (runtime, options) => SchedulingModule.register(runtime, options), {
  database: SCHEDULING_DATABASE,
}).catch((error: unknown) => {
  process.stderr.write(`scheduling failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
