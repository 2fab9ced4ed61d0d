import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Issue #12: no key, secret or signature a test hands to Convene may reach a log. When
 * CONVENE_TEST_LOG_DIR is set (scripts/test.sh sets it), every secret a test uses is appended to
 * `<dir>/secrets/<pid>.txt`, and scripts/ci/scan-logs-for-secrets.mjs searches every log the suite
 * captured (Jest's output and each service process's own) for each of them.
 */
const LOG_DIR = process.env.CONVENE_TEST_LOG_DIR;
const recorded = new Set<string>();

/** The folder the suite's logs are captured in, or undefined when the run does not capture them. */
export function testLogDir(): string | undefined {
  return LOG_DIR;
}

/** Records secrets (keys, passwords, signatures) so that the log scan looks for them. */
export function recordSecrets(...values: string[]): void {
  if (!LOG_DIR) return;
  const fresh = values.filter((value) => value.length >= 8 && !recorded.has(value));
  if (fresh.length === 0) return;
  fresh.forEach((value) => recorded.add(value));
  const folder = join(LOG_DIR, 'secrets');
  mkdirSync(folder, { recursive: true });
  appendFileSync(join(folder, `${process.pid}.txt`), fresh.map((value) => `${value}\n`).join(''));
}

const SECRET_NAME = /(_KEY|_KEYS|SECRET|PASSWORD|TOKEN)$/;

/**
 * The secrets in an environment handed to a Convene process: every value of a variable whose name
 * says key, secret, password or token (comma-separated lists split), the password of `SMTP_URL` and
 * the token path of `SLACK_WEBHOOK_URL`.
 */
export function secretsOfEnvironment(env: Record<string, string | undefined>): string[] {
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value)
    .flatMap(([, value]) => (value ?? '').split(','))
    .map((value) => value.trim());
  const smtpPassword = urlPart(env.SMTP_URL, (url) => decodeURIComponent(url.password));
  const slackToken = urlPart(env.SLACK_WEBHOOK_URL, (url) => url.pathname.split('/').pop() ?? '');
  return [...secrets, smtpPassword, slackToken].filter((value) => value.length > 0);
}

function urlPart(value: string | undefined, pick: (url: URL) => string): string {
  if (!value) return '';
  try {
    return pick(new URL(value));
  } catch {
    return '';
  }
}
