import './instrument';
import 'reflect-metadata';
import { runServiceProcess } from '#libs/runtime';
import { configureGatewayHttp, createGatewayAdapter } from './gateway-http';
import { GATEWAY_DATABASE } from './gateway.database';
import { GatewayModule } from './gateway.module';

void runServiceProcess('gateway', (runtime, options) => GatewayModule.register(runtime, options), {
  database: GATEWAY_DATABASE,
  http: { adapter: createGatewayAdapter(), beforeListen: configureGatewayHttp },
}).catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
