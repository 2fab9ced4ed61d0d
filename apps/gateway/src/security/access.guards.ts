import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway.exception';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config';
import { apiKeyHeader, matchesAnyKey } from './api-keys';

/** Webhook deliveries need one of the WEBHOOK_API_KEY keys (several during a rotation). */
@Injectable()
export class WebhookKeyGuard implements CanActivate {
  constructor(@Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings) {}

  canActivate(context: ExecutionContext): boolean {
    requireKey(context, this.settings.webhookApiKeys);
    return true;
  }
}

/**
 * Reads need a read key or a webhook key, except in embedded mode on a loopback-only listener,
 * where only the local operator can reach the API.
 */
@Injectable()
export class ReadKeyGuard implements CanActivate {
  constructor(@Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.settings.readsOpen) return true;
    requireKey(context, [...this.settings.readApiKeys, ...this.settings.webhookApiKeys]);
    return true;
  }
}

function requireKey(context: ExecutionContext, keys: readonly string[]): void {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const presented = apiKeyHeader(request.headers);
  if (presented === undefined) throw new GatewayError('AUTH.API_KEY_MISSING', 'Send an API key in X-API-Key.');
  if (!matchesAnyKey(presented, keys)) throw new GatewayError('AUTH.API_KEY_INVALID', 'The API key is not accepted.');
}
