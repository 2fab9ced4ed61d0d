import { createHash } from 'node:crypto';
import { type Alert, type AlertChange, type AlertStatus, type Severity, severityRank } from '#libs/contracts';

/** What the gateway knows of an alert before a delivery. */
export interface CurrentAlert {
  severity: Severity;
  status: AlertStatus;
  content_hash: string;
}

/**
 * What a delivery of a known alert means:
 * - `duplicate`: identical content, answered as before;
 * - `recorded`: counted, but nothing a consumer must act on (a lower severity never downgrades,
 *   a resolved alert stays resolved);
 * - an escalation or a resolution, which is a new revision and an event.
 */
export type Revision = { kind: 'duplicate' } | { kind: 'recorded' } | { kind: 'changed'; change: AlertChange };

export function reviseAlert(current: CurrentAlert, incoming: Alert, incomingHash: string): Revision {
  if (incomingHash === current.content_hash) return { kind: 'duplicate' };
  // TODO(#4): an alert that fires again after it was resolved is only recorded; there is no `reopened` change.
  if (current.status === 'resolved') return { kind: 'recorded' };
  if (incoming.status === 'resolved') return { kind: 'changed', change: 'resolved' };
  if (severityRank(incoming.severity) > severityRank(current.severity)) return { kind: 'changed', change: 'escalated' };
  return { kind: 'recorded' };
}

/** SHA-256 over the alert's canonical JSON (keys sorted), so key order and spacing do not matter. */
export function contentHash(alert: Alert): string {
  return createHash('sha256').update(canonicalJson(alert)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
