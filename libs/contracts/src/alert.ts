/** Severities ChainSync sends, from most to least severe. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether an alert is still active or ChainSync has resolved it. */
export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** The webhook body as ChainSync sends it, after validation. Field names follow the seed. */
export interface Alert {
  alert_id: string;
  alert_type: string;
  severity: Severity;
  description: string;
  affected_systems: string[];
  detected_at: string;
  context: Record<string, unknown>;
  compliance_frameworks: string[];
  status: AlertStatus;
}

/**
 * What a webhook delivery meant for an alert Convene already knew:
 * `new` the first sighting, `escalated` a higher severity, `resolved` ChainSync closed it.
 */
export const ALERT_CHANGES = ['new', 'escalated', 'resolved'] as const;
export type AlertChange = (typeof ALERT_CHANGES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}
