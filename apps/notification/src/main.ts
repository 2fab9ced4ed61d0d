import './instrument';
import 'reflect-metadata';
import { runServiceProcess } from '#libs/runtime';
import { NOTIFICATION_DATABASE } from './notification.database';
import { NotificationModule } from './notification.module';

void runServiceProcess('notification', (runtime, options) => NotificationModule.register(runtime, options), {
  database: NOTIFICATION_DATABASE,
}).catch((error: unknown) => {
  process.stderr.write(`notification failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
