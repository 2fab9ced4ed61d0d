import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { MAX_BODY_BYTES } from './gateway.config';

/**
 * Fastify sets no request timeout by default, so a client that sends its body one byte at a time,
 * or never finishes it, would hold its connection for ever. Node answers 408 and closes the socket
 * once a request has not arrived whole within this time (checked every 30 s).
 */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The Fastify server the gateway needs: a 1 MB body limit, a bound on the time to receive a request,
 * and no built-in proxy trust (the rate limiter resolves client addresses itself from TRUSTED_PROXIES).
 */
export function createGatewayAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, trustProxy: false, requestTimeout: REQUEST_TIMEOUT_MS });
}

/** Everything the gateway sets on its HTTP server before it listens; pass as `beforeListen`. */
export function configureGatewayHttp(app: NestFastifyApplication): void {
  keepBodiesRaw(app);
  serveOpenApi(app);
}

/**
 * Every body reaches the handlers as the Buffer received, so the webhook signature is checked over
 * the exact bytes and JSON is parsed only afterwards. Fastify counts the bytes while reading, so the
 * limit holds for chunked bodies without Content-Length too.
 */
function keepBodiesRaw(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().removeAllContentTypeParsers();
  app.useBodyParser('*', { bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
}

function serveOpenApi(app: NestFastifyApplication): void {
  let document: OpenAPIObject | undefined;
  const openApi = (): OpenAPIObject => (document ??= buildOpenApi(app));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/docs', (_request, reply) => reply.send(openApi()));
  fastify.get('/docs/json', (_request, reply) => reply.send(openApi()));
}

function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Convene')
    .setDescription('Turns a signed ChainSync alert into a booked meeting of the right people.')
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The Prometheus scrape (libs/telemetry, on every service) is for the monitoring system, not part of the API.
  delete document.paths['/metrics'];
  return document;
}
