// The ingest floor of Convene's stack: the gateway's HTTP server (Nest on Fastify with the
// gateway's adapter and raw-body parser, the access log, route-named OpenTelemetry server spans and
// the HTTP metrics, all from libs/runtime) answering 202 with a small JSON body, and doing none of
// the gateway's own work (no signature check, no parsing, no database, no Kafka). What the gateway
// reaches here is the most it could reach without leaving the stack. PORT from the environment.
import telemetry from '../../dist/libs/telemetry/src/index.js';

telemetry.startProcessTracing('convene-stack-floor', '0.0.0');

const { Controller, Get, HttpCode, Module, Post } = await import('@nestjs/common');
await import('reflect-metadata');
const { loadEnv } = (await import('../../dist/libs/config/src/index.js')).default;
const { startHttpService } = (await import('../../dist/libs/runtime/src/index.js')).default;
const gatewayHttp = (await import('../../dist/apps/gateway/src/gateway-http.js')).default;

class FloorController {
  accept() {
    return { status: 'accepted' };
  }

  health() {
    return { status: 'ok' };
  }
}

// The decorators applied by hand, as TypeScript would compile them, so this file needs no build.
const decorate = (method, ...decorators) => {
  const descriptor = Object.getOwnPropertyDescriptor(FloorController.prototype, method);
  for (const decorator of decorators) decorator(FloorController.prototype, method, descriptor);
};
decorate('accept', Post('webhooks/chainsync/alert'), HttpCode(202));
decorate('health', Get('health'));
Controller()(FloorController);

class FloorModule {}
Module({ controllers: [FloorController] })(FloorModule);

const env = loadEnv(process.env);
await startHttpService(
  { module: FloorModule },
  {
    env,
    service: 'gateway',
    port: env.PORT,
    host: env.HOST,
    adapter: gatewayHttp.createGatewayAdapter(),
    beforeListen: gatewayHttp.configureGatewayHttp,
  },
);
