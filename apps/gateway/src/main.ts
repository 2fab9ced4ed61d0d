import './instrument';
import 'reflect-metadata';
import { runServiceProcess } from '#libs/runtime';
import { GatewayModule } from './gateway.module';

void runServiceProcess('gateway', (runtime, options) => GatewayModule.register(runtime, options)).catch(
  (error: unknown) => {
    process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
