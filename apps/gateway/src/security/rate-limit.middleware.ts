import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { GatewayError } from '../errors/gateway.exception';
import { ClientIpResolver } from './client-ip';
import { RateLimiter } from './rate-limiter';

/**
 * Counts every public API request against its client's per-minute budget. It runs as middleware,
 * before the body is read, so a client over its budget cannot make the gateway read megabytes.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly clientIp: ClientIpResolver,
  ) {}

  use(request: IncomingMessage, _response: ServerResponse, next: (error?: unknown) => void): void {
    const client = this.clientIp.resolve(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    const retryAfterSeconds = this.limiter.take(client);
    if (retryAfterSeconds === undefined) return next();
    throw new GatewayError('RATE_LIMIT.EXCEEDED', 'Request budget for this client is spent; retry later.', {
      retryAfterSeconds,
    });
  }
}
