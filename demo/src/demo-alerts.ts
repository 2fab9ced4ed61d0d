import { readFile } from 'node:fs/promises';

export type AlertPayload = Record<string, unknown> & { alert_id: string };

export const SCENARIOS = ['critical_security', 'high_compliance', 'medium_performance', 'low_capacity'] as const;
export type Scenario = (typeof SCENARIOS)[number];

type ScenarioAlert = Omit<AlertPayload, 'alert_id' | 'detected_at'>;

/** The seed's four demo cases, one per urgency level. */
const SCENARIO_ALERTS: Record<Scenario, { prefix: string; alert: ScenarioAlert }> = {
  critical_security: {
    prefix: 'SEC',
    alert: {
      alert_type: 'security_incident',
      severity: 'critical',
      description: 'Unauthorized access attempt detected on production database',
      affected_systems: ['prod-db-01', 'prod-db-02', 'auth-service'],
      context: { ip_addresses: ['192.168.1.100'], failed_attempts: 150 },
      compliance_frameworks: ['SOC2', 'ISO27001'],
    },
  },
  high_compliance: {
    prefix: 'CMP',
    alert: {
      alert_type: 'compliance_violation',
      severity: 'high',
      description: 'Unmasked card numbers written to the payments service log archive',
      affected_systems: ['payments-api', 'log-archive'],
      context: { records_exposed: 1240, customer_facing: true },
      compliance_frameworks: ['PCI-DSS', 'GDPR'],
    },
  },
  medium_performance: {
    prefix: 'PERF',
    alert: {
      alert_type: 'performance_degradation',
      severity: 'medium',
      description: 'Checkout API p95 latency rose from 180 ms to 2.4 s after the 14:00 deploy',
      affected_systems: ['checkout-api'],
      context: { p95_ms: 2400, baseline_p95_ms: 180 },
      compliance_frameworks: [],
    },
  },
  low_capacity: {
    prefix: 'CAP',
    alert: {
      alert_type: 'capacity_warning',
      severity: 'low',
      description: 'Primary database volume is 85% full; at the current rate it fills in 9 days',
      affected_systems: ['prod-db-01'],
      context: { used_percent: 85, days_until_full: 9 },
      compliance_frameworks: [],
    },
  },
};

export function isScenario(name: string): name is Scenario {
  return (SCENARIOS as readonly string[]).includes(name);
}

/**
 * A fresh copy of a scenario's alert. Its id carries the run's time, so every run makes new
 * meetings instead of finding the ones a previous run booked (a repeated alert_id never books twice).
 */
export function scenarioAlert(scenario: Scenario, now: Date = new Date()): AlertPayload {
  const { prefix, alert } = SCENARIO_ALERTS[scenario];
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return { alert_id: `${prefix}-${stamp}`, ...alert, detected_at: now.toISOString() };
}

/**
 * Alerts from a JSON file holding one alert or an array of them. A missing `alert_id` or
 * `detected_at` is filled in so that a hand-written file needs only the interesting fields.
 */
export async function alertsFromFile(path: string, now: Date = new Date()): Promise<AlertPayload[]> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  const items = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  return items.map((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new Error(`${path}: item ${index} is not a JSON object`);
    }
    const alert = item as Record<string, unknown>;
    const id = typeof alert.alert_id === 'string' ? alert.alert_id : `DEMO-${now.getTime()}-${index + 1}`;
    return { ...alert, alert_id: id, detected_at: alert.detected_at ?? now.toISOString() };
  });
}
