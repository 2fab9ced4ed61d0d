import type { Alert } from '#libs/contracts';

export interface RedactionOptions {
  redactIpAddresses: boolean;
}

/** The part of an alert an AI agent sees, with secrets and personal data replaced by placeholders. */
export type RedactedAlert = Pick<
  Alert,
  | 'alert_id'
  | 'alert_type'
  | 'severity'
  | 'description'
  | 'affected_systems'
  | 'detected_at'
  | 'context'
  | 'compliance_frameworks'
>;

const SENSITIVE_KEY =
  /pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|auth|credential|cookie|session|private[-_]?key|signature/i;

/** Order matters: structured secrets first, so an email pattern never eats half a URL's credentials. */
const TEXT_RULES: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[REDACTED_PRIVATE_KEY]'],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[REDACTED_CREDENTIALS]@'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, 'Bearer [REDACTED_TOKEN]'],
  [/\bBasic\s+[A-Za-z0-9+/]{8,}=*/g, 'Basic [REDACTED_TOKEN]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[REDACTED_TOKEN]'],
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, '[REDACTED_API_KEY]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[REDACTED_API_KEY]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[REDACTED_TOKEN]'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, '[REDACTED_TOKEN]'],
  [
    /\b((?:password|passwd|pwd|passphrase|secret|token|api[-_]?key|access[-_]?key|client[-_]?secret)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi,
    '$1[REDACTED]',
  ],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[REDACTED_EMAIL]'],
  [/\+\d[\d\s().-]{7,}\d/g, '[REDACTED_PHONE]'],
];

const IP_RULES: [RegExp, string][] = [
  [/\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g, '[REDACTED_IP]'],
  [/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '[REDACTED_IP]'],
];

/**
 * A long run that mixes letters and digits is almost always a key or token nobody meant to share.
 * Hyphens are left out so long host names survive; a run with slashes must mix cases, as base64
 * does and file paths rarely do.
 */
const OPAQUE_SECRET = /[A-Za-z0-9_+/]{32,}={0,2}/g;

function looksLikeSecret(run: string): boolean {
  const mixesLettersAndDigits = /\d/.test(run) && /[A-Za-z]/.test(run);
  if (!run.includes('/')) return mixesLettersAndDigits;
  return mixesLettersAndDigits && /[a-z]/.test(run) && /[A-Z]/.test(run);
}

export function redactText(value: string, options: RedactionOptions): string {
  const rules = options.redactIpAddresses ? [...TEXT_RULES, ...IP_RULES] : TEXT_RULES;
  const redacted = rules.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), value);
  return redacted.replace(OPAQUE_SECRET, (run) => (looksLikeSecret(run) ? '[REDACTED_SECRET]' : run));
}

/** Redacts every string in a JSON-like value; values under sensitive-looking keys are dropped whole. */
export function redactValue(value: unknown, options: RedactionOptions): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, options));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        redactText(key, options),
        SENSITIVE_KEY.test(key) ? '[REDACTED]' : redactValue(item, options),
      ]),
    );
  }
  return value;
}

export function redactAlert(alert: Alert, options: RedactionOptions): RedactedAlert {
  return {
    alert_id: redactText(alert.alert_id, options),
    alert_type: redactText(alert.alert_type, options),
    severity: alert.severity,
    description: redactText(alert.description, options),
    affected_systems: alert.affected_systems.map((system) => redactText(system, options)),
    detected_at: alert.detected_at,
    context: redactValue(alert.context, options) as Record<string, unknown>,
    compliance_frameworks: alert.compliance_frameworks.map((framework) => redactText(framework, options)),
  };
}
