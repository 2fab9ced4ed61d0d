import type { WebhookCredentials } from './webhook-credentials';

const SAMPLE_ALERT = {
  alert_id: 'SEC-2025-001',
  alert_type: 'security_incident',
  severity: 'critical',
  description: 'Unauthorized access attempt detected',
  affected_systems: ['prod-db-01', 'auth-service'],
  detected_at: '2025-11-28T10:00:00Z',
  context: { failed_attempts: 150 },
  compliance_frameworks: ['SOC2', 'ISO27001'],
};

/**
 * The few lines a new user needs after `npm start`: where Convene listens, its webhook key and
 * secret, and a curl command that signs and sends a sample alert (the signature covers a fresh
 * timestamp, so the command computes it when pasted).
 */
export function renderBanner(url: string, credentials: WebhookCredentials, dataDir: string): string {
  const body = JSON.stringify(SAMPLE_ALERT);
  const origin =
    credentials.source === 'environment' ? 'from the environment' : `kept in ${dataDir}/webhook-credentials.json`;
  return [
    '',
    `  Convene is running at ${url}`,
    '',
    `  Webhook key     ${credentials.apiKey}`,
    `  Webhook secret  ${credentials.secret}   (${origin})`,
    '',
    '  Send a signed sample alert:',
    '',
    `    body='${body}'`,
    '    ts=$(date +%s)',
    `    sig=$(printf '%s' "$ts.$body" | openssl dgst -sha256 -hmac '${credentials.secret}' | sed 's/^.* //')`,
    `    curl -sS -X POST ${url}/webhooks/chainsync/alert -H 'Content-Type: application/json' \\`,
    `      -H 'X-API-Key: ${credentials.apiKey}' -H "X-Webhook-Timestamp: $ts" \\`,
    '      -H "X-Webhook-Signature: sha256=$sig" -H \'Prefer: wait=10\' -d "$body"',
    '',
    `  Then: ${url}/meetings/recent`,
    '',
  ].join('\n');
}
