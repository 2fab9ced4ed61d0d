import { join } from 'node:path';
import type { ConveneEnv } from '#libs/config';

/** How the delivery worker paces itself. Tests shrink these; production keeps the defaults. */
export interface DeliveryWorkerSettings {
  pollIntervalMs: number;
  batchSize: number;
  /** Attempts per delivery, the first one included, before it is recorded as failed. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a claimed delivery stays invisible to other workers while it is being sent. */
  leaseMs: number;
  /** Upper bound on one HTTP call or SMTP step. Must stay well below leaseMs. */
  requestTimeoutMs: number;
}

/** Where each channel delivers. A channel without an address is skipped, not failed. */
export interface NotificationSettings {
  /** SMTP server; without it every email is written as an .eml file under outboxDir. */
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
  slackWebhookUrl: string | undefined;
  chainsyncApiUrl: string | undefined;
  chainsyncApiKey: string | undefined;
  worker: DeliveryWorkerSettings;
}

export const NOTIFICATION_SETTINGS = Symbol('NOTIFICATION_SETTINGS');

export const DEFAULT_WORKER_SETTINGS: DeliveryWorkerSettings = {
  pollIntervalMs: 1_000,
  batchSize: 20,
  maxAttempts: 6,
  backoffBaseMs: 15_000,
  backoffMaxMs: 15 * 60_000,
  leaseMs: 5 * 60_000,
  requestTimeoutMs: 30_000,
};

export function notificationSettingsFromEnv(env: ConveneEnv): NotificationSettings {
  return {
    smtpUrl: env.SMTP_URL,
    from: env.NOTIFY_FROM,
    outboxDir: join(env.DATA_DIR, 'outbox'),
    slackWebhookUrl: env.SLACK_WEBHOOK_URL,
    chainsyncApiUrl: env.CHAINSYNC_API_URL?.replace(/\/+$/, ''),
    chainsyncApiKey: env.CHAINSYNC_API_KEY,
    worker: DEFAULT_WORKER_SETTINGS,
  };
}
