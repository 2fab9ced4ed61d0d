import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `candidate` is one of `keys`. Both sides are hashed first so every comparison has the
 * same length, and every key is compared, so the time taken says nothing about which key or how
 * much of it matched.
 */
export function matchesAnyKey(candidate: string, keys: readonly string[]): boolean {
  const presented = digest(candidate);
  let matched = false;
  for (const key of keys) {
    matched = timingSafeEqual(presented, digest(key)) || matched;
  }
  return matched;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The single X-API-Key header value, or undefined when absent or empty. */
export function apiKeyHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['x-api-key'];
  const key = Array.isArray(value) ? value[0] : value;
  return key && key.length > 0 ? key : undefined;
}
