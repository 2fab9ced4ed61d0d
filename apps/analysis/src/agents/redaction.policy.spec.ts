import { redactAlert, redactText, redactValue } from './redaction.policy';
import { anAlert } from '../testing/analysis.fixtures';

const withIps = { redactIpAddresses: true };
const withoutIps = { redactIpAddresses: false };

describe('redactText', () => {
  it.each([
    ['an email address', 'contact ops.lead+alerts@corp.example.org now', 'contact [REDACTED_EMAIL] now'],
    ['a bearer token', 'Authorization: Bearer abc.def-123_456', 'Authorization: Bearer [REDACTED_TOKEN]'],
    ['a basic credential', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [REDACTED_TOKEN]'],
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature', 'token [REDACTED_TOKEN]'],
    ['an OpenAI-style key', 'key sk-proj-0123456789abcdefABCDEF', 'key [REDACTED_API_KEY]'],
    ['an AWS access key', 'AKIAIOSFODNN7EXAMPLE leaked', '[REDACTED_API_KEY] leaked'],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[REDACTED_TOKEN]'],
    ['a Slack token', 'xoxb-1234567890-abcdefghij', '[REDACTED_TOKEN]'],
    ['a password assignment', 'password=hunter2 and pwd: "s3 cret"', 'password=[REDACTED] and pwd: [REDACTED]'],
    ['an api_key assignment', '"api_key": "abc123"', '"api_key": [REDACTED]'],
    ['URL credentials', 'postgres://app:pa55@db:5432/x', 'postgres://[REDACTED_CREDENTIALS]@db:5432/x'],
    ['a phone number', 'call +1 (555) 010-9999', 'call [REDACTED_PHONE]'],
    [
      'an opaque secret',
      'seed 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'seed [REDACTED_SECRET]',
    ],
  ])('removes %s', (_what, input, expected) => {
    expect(redactText(input, withoutIps)).toBe(expected);
  });

  it('removes IPv4 and IPv6 addresses only when asked to', () => {
    const text = 'from 192.168.1.100 and 2001:db8::1 and fe80:0:0:0:200:f8ff:fe21:67cf';
    expect(redactText(text, withoutIps)).toBe(text);
    expect(redactText(text, withIps)).not.toMatch(/192\.168|fe80/);
  });

  it.each([
    'prod-db-01, auth-service, payments-api-eu-west-1-primary-replica-03',
    'detected at 2025-11-28T10:00:00Z with 150 failed attempts',
    '/var/lib/postgresql/18/main/base/16384/2619',
    'p99 latency 1250ms over SLO of 300ms on checkout',
  ])('leaves ordinary operational text alone: %s', (text) => {
    expect(redactText(text, withIps)).toBe(text);
  });
});

describe('redactValue', () => {
  it('drops values under sensitive keys whole, at any depth', () => {
    expect(
      redactValue({ db: { password: 'plain words', host: 'db-1' }, api_token: 123, attempts: 5 }, withIps),
    ).toEqual({ db: { password: '[REDACTED]', host: 'db-1' }, api_token: '[REDACTED]', attempts: 5 });
  });
});

describe('redactAlert', () => {
  it('redacts every free-text field and keeps the structured ones', () => {
    const alert = anAlert({
      description: 'reported by a@b.io',
      affected_systems: ['owner x@y.io'],
      context: { reporter: 'c@d.io', ip_addresses: ['10.0.0.1'] },
    });

    const redacted = redactAlert(alert, withIps);

    expect(JSON.stringify(redacted)).not.toMatch(/@b\.io|@y\.io|@d\.io|10\.0\.0\.1/);
    expect(redacted.severity).toBe(alert.severity);
    expect(redacted.detected_at).toBe(alert.detected_at);
  });
});
