import { createHmac } from 'node:crypto';
import { recordSecrets } from './secret-ledger';

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

/** Signs a webhook body the way ChainSync does: HMAC-SHA256 over `<timestamp>.<raw body>`. */
export function signWebhook(
  body: string,
  credentials: { apiKey: string; secret: string },
  timestamp = Math.floor(Date.now() / 1000),
): SignedDelivery {
  const signature = createHmac('sha256', credentials.secret).update(`${timestamp}.${body}`).digest('hex');
  // Only the signature: credentials that embedded mode generated are meant to be in its banner.
  recordSecrets(signature);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-api-key': credentials.apiKey,
      'x-webhook-timestamp': String(timestamp),
      'x-webhook-signature': `sha256=${signature}`,
    },
  };
}

/** A valid alert in the seed's shape; override any field. */
export function alertFactory(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    alert_id: `SEC-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
    alert_type: 'security_incident',
    severity: 'critical',
    description: 'Unauthorized access attempt detected on production database',
    affected_systems: ['prod-db-01', 'auth-service'],
    detected_at: new Date().toISOString(),
    context: { failed_attempts: 150 },
    compliance_frameworks: ['SOC2', 'ISO27001'],
    ...overrides,
  };
}

/** Posts a signed alert to a running Convene. */
export async function postAlert(
  baseUrl: string,
  alert: Record<string, unknown>,
  credentials: { apiKey: string; secret: string },
  extraHeaders: Record<string, string> = {},
  timestamp?: number,
): Promise<Response> {
  const delivery = signWebhook(JSON.stringify(alert), credentials, timestamp);
  return fetch(`${baseUrl}/webhooks/chainsync/alert`, {
    method: 'POST',
    headers: { ...delivery.headers, ...extraHeaders },
    body: delivery.body,
  });
}
