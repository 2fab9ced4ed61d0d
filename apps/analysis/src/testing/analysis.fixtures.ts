import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Alert, AlertReceivedV1 } from '#libs/contracts';
import { parseAuthoritiesConfig } from '../authorities/authorities-config.loader';
import type { AuthoritiesConfig } from '../authorities/authorities.types';

/** The repository's config/alert_authorities.yaml, the file production starts with. */
export const AUTHORITIES_FILE = resolve(__dirname, '../../../../config/alert_authorities.yaml');

export function authoritiesText(): string {
  return readFileSync(AUTHORITIES_FILE, 'utf8');
}

export function shippedAuthorities(): AuthoritiesConfig {
  return parseAuthoritiesConfig(authoritiesText(), 'config/alert_authorities.yaml');
}

export function anAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alert_id: 'SEC-2025-001',
    alert_type: 'security_incident',
    severity: 'critical',
    description: 'Unauthorized access attempt detected',
    affected_systems: ['prod-db-01', 'auth-service'],
    detected_at: '2025-11-28T10:00:00Z',
    context: { ip_addresses: ['192.168.1.100'], failed_attempts: 150 },
    compliance_frameworks: ['SOC2', 'ISO27001'],
    status: 'firing',
    ...overrides,
  };
}

export function aReceivedAlert(overrides: Partial<Alert> = {}, revision = 1): AlertReceivedV1 {
  const alert = anAlert(overrides);
  return {
    alert,
    change: alert.status === 'resolved' ? 'resolved' : revision > 1 ? 'escalated' : 'new',
    revision,
    received_at: '2025-11-28T10:00:05Z',
  };
}
