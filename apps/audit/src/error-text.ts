const MAX_LENGTH = 240;

// Credentials in URLs (user:password@, query strings, Slack-style webhook paths), bearer tokens
// and `key=value` pairs whose key names a secret.
const URL_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@]+@)?([^\s/?#]+)([^\s]*)/gi;
const BEARER_PATTERN = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const SECRET_NAME = String.raw`[A-Za-z_-]*(?:key|secret|token|password|passwd|signature|authorization)[A-Za-z_-]*`;
const SECRET_PAIR_PATTERN = new RegExp(String.raw`\b(${SECRET_NAME})(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)`, 'gi');

/**
 * An error message fit for an operator's status page: URLs keep only scheme and host, tokens and
 * secret-named values are replaced, and the text is cut to 240 characters. Error messages come
 * from other services' handlers, which may quote a connection string or a webhook URL.
 */
export function scrubErrorText(text: string): string {
  const scrubbed = text
    .replace(URL_PATTERN, (_match, scheme: string, _credentials, host: string, rest: string) =>
      rest.length > 0 ? `${scheme}${host}/[redacted]` : `${scheme}${host}`,
    )
    .replace(BEARER_PATTERN, (_match, scheme: string) => `${scheme} [redacted]`)
    .replace(SECRET_PAIR_PATTERN, (_match, name: string, separator: string) => `${name}${separator}[redacted]`);
  return scrubbed.length > MAX_LENGTH ? `${scrubbed.slice(0, MAX_LENGTH - 1)}…` : scrubbed;
}
