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
 * timestamp, so the command computes it when pasted). Credentials generated under DATA_DIR are
 * printed; credentials an operator set in the environment are not, because stdout ends up in
 * container logs and log pipelines: the curl line then reads them from the shell's environment.
 */
export function renderBanner(url: string, credentials: WebhookCredentials, dataDir: string): string {
  const body = JSON.stringify(SAMPLE_ALERT);
  const fromEnvironment = credentials.source === 'environment';
  const shown = fromEnvironment
    ? { key: 'from WEBHOOK_API_KEY (not printed)', secret: 'from WEBHOOK_SECRET_KEY (not printed)' }
    : { key: credentials.apiKey, secret: `${credentials.secret}   (kept in ${dataDir}/webhook-credentials.json)` };
  const curl = fromEnvironment
    ? { key: '"X-API-Key: ${WEBHOOK_API_KEY%%,*}"', secret: '"$WEBHOOK_SECRET_KEY"' }
    : { key: `'X-API-Key: ${credentials.apiKey}'`, secret: `'${credentials.secret}'` };
  return [
    '',
    `  Convene is running at ${url}`,
    '',
    `  Webhook key     ${shown.key}`,
    `  Webhook secret  ${shown.secret}`,
    '',
    '  Send a signed sample alert:',
    '',
    `    body='${body}'`,
    '    ts=$(date +%s)',
    `    sig=$(printf '%s' "$ts.$body" | openssl dgst -sha256 -hmac ${curl.secret} | sed 's/^.* //')`,
    `    curl -sS -X POST ${url}/webhooks/chainsync/alert -H 'Content-Type: application/json' \\`,
    `      -H ${curl.key} -H "X-Webhook-Timestamp: $ts" \\`,
    '      -H "X-Webhook-Signature: sha256=$sig" -H \'Prefer: wait=10\' -d "$body"',
    '',
    `  Then: ${url}/meetings/recent`,
    '',
  ].join('\n');
}
