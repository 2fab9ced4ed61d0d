// Checks what docs/DEPLOYMENT.md's signed-alert snippet would send: the arguments its `curl` got
// (NUL-separated in <args file>) must carry a signature that the gateway's rule accepts
// (HMAC-SHA256 over "<timestamp>.<raw body>" with the secret), a fresh timestamp and a valid body.
// Usage: node scripts/deploy/verify-signed-alert.mjs <args file> <secret> <api key>
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [argsPath, secret, apiKey] = process.argv.slice(2);
const args = readFileSync(argsPath, 'utf8')
  .split('\0')
  .filter((arg) => arg !== '');
const headers = {};
let body;
let url;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-H') {
    const [name, ...value] = args[++i].split(':');
    headers[name.trim().toLowerCase()] = value.join(':').trim();
  } else if (args[i] === '--data-binary') {
    body = args[++i];
  } else if (/^https?:\/\//.test(args[i])) {
    url = args[i];
  }
}

const problems = [];
const expect = (condition, message) => {
  if (!condition) problems.push(message);
};
const timestamp = headers['x-webhook-timestamp'];
const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
expect(url?.endsWith('/webhooks/chainsync/alert'), `posts to ${url}`);
expect(headers['x-api-key'] === apiKey, 'X-API-Key is not the webhook key');
expect(headers['content-type'] === 'application/json', 'Content-Type is not application/json');
expect(Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300, `timestamp ${timestamp} is not within 300 s`);
expect(headers['x-webhook-signature'] === expected, 'signature does not match HMAC-SHA256(secret, "<ts>.<body>")');
let alert = {};
try {
  alert = JSON.parse(body);
} catch {
  problems.push('body is not JSON');
}
for (const field of ['alert_id', 'alert_type', 'severity', 'description', 'affected_systems', 'detected_at']) {
  expect(alert[field] !== undefined, `body lacks ${field}`);
}
expect(['critical', 'high', 'medium', 'low'].includes(alert.severity), `severity ${alert.severity} is invalid`);
expect(!Number.isNaN(Date.parse(alert.detected_at)), 'detected_at is not ISO 8601');

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`verify-signed-alert: ${problem}\n`);
  process.exit(1);
}
process.stdout.write('verify-signed-alert: the documented request is correctly signed\n');
