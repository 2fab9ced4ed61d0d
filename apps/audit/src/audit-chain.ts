import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The previous hash of the first link. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a log row's hash covers: every column except `seq` and the hash itself. */
export interface AuditRecordContent {
  event_id: string;
  topic: string;
  type: string;
  source: string;
  event_time: string;
  alert_id: string;
  meeting_id: string | null;
  trace_id: string | null;
  payload: unknown;
  received_at: Date;
}

/** SHA-256 (lowercase hex) over the canonical JSON of the row's content together with the previous hash. */
export function chainHash(prevHash: string, content: AuditRecordContent): string {
  return createHash('sha256')
    .update(canonicalJson({ ...content, prev_hash: prevHash }))
    .digest('hex');
}

/** The trace id inside a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | null): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent?.trim().toLowerCase() ?? '');
  if (!match || /^0+$/.test(match[1])) return null;
  return match[1];
}
