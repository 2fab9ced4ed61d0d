import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConveneEnv } from '#libs/config';

export interface WebhookCredentials {
  apiKey: string;
  secret: string;
  /** True when they were generated now, rather than read from the environment or DATA_DIR. */
  generated: boolean;
  source: 'environment' | 'data-dir';
}

/**
 * The webhook key and secret of an embedded Convene: from the environment when set, otherwise
 * generated once and kept in `DATA_DIR/webhook-credentials.json` (mode 0600), so a first run
 * needs no setup and later runs keep working with the same curl line.
 */
export async function resolveWebhookCredentials(env: ConveneEnv): Promise<WebhookCredentials> {
  if (env.WEBHOOK_API_KEY && env.WEBHOOK_SECRET_KEY) {
    return {
      apiKey: env.webhookApiKeys[0] ?? '',
      secret: env.WEBHOOK_SECRET_KEY,
      generated: false,
      source: 'environment',
    };
  }
  const file = join(env.DATA_DIR, 'webhook-credentials.json');
  if (existsSync(file)) {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { api_key: string; secret: string };
    return { apiKey: stored.api_key, secret: stored.secret, generated: false, source: 'data-dir' };
  }
  const created = { api_key: `cvn_${randomBytes(18).toString('base64url')}`, secret: randomBytes(32).toString('hex') };
  await mkdir(env.DATA_DIR, { recursive: true });
  await writeFile(file, JSON.stringify(created, null, 2), { mode: 0o600 });
  return { apiKey: created.api_key, secret: created.secret, generated: true, source: 'data-dir' };
}

/** Puts the credentials where the gateway reads them. */
export function applyWebhookCredentials(env: ConveneEnv, credentials: WebhookCredentials): void {
  env.WEBHOOK_API_KEY ??= credentials.apiKey;
  env.WEBHOOK_SECRET_KEY ??= credentials.secret;
}
