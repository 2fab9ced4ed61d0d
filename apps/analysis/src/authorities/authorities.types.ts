import type { NotificationChannel, Severity, UrgencyLevel } from '#libs/contracts';

/** The shape of config/alert_authorities.yaml once it has passed the schema and the cross-checks. */
export interface AuthoritiesConfig {
  version: 1;
  roles: Record<string, Person[]>;
  alert_types: Record<string, AlertTypeRoute>;
  custom_alert_types: Record<string, AlertTypeRoute>;
  default_route: AlertTypeRoute;
  escalation: EscalationRules;
  urgency: UrgencyPolicy;
  scheduling: SchedulingPolicy;
  notifications: Record<string, unknown>;
  integrations: Record<string, unknown>;
  analysis: AnalysisPolicy;
}

export interface Person {
  name: string;
  email: string;
}

export interface AlertTypeRoute {
  severity_weight: number;
  category: string;
  typical_attendees: string[];
}

export interface EscalationRules {
  high_severity: { severities: Severity[]; add_roles: string[] };
  executive: { severities: Severity[]; alert_types: string[]; add_roles: string[] };
  customer_impact: { context_flag: string; add_roles: string[] };
}

export interface LevelPolicy {
  threshold: number;
  response_window_minutes: number;
  recommended_response_time: string;
  duration_minutes: { default: number; min: number; max: number };
  notification_channels: NotificationChannel[];
  books_meeting: boolean;
}

export interface UrgencyPolicy {
  levels: Record<UrgencyLevel, LevelPolicy>;
  many_affected_systems: { more_than: number; duration_minutes: number };
}

export interface SchedulingPolicy {
  timezone: string;
  business_hours: { start: string; end: string; days: string[] };
  critical_overrides_business_hours: boolean;
  minimum_notice_minutes: Record<UrgencyLevel, number>;
  maximum_advance_days: number;
  correlation_window_minutes: number;
  conference_link_template?: string | null;
}

export interface RegulatoryClock {
  hours: number;
  obligation: string;
}

export interface AnalysisPolicy {
  llm: { timeout_ms: number; max_retries: number; temperature: number };
  redaction: { redact_ip_addresses: boolean };
  regulatory_clocks: Record<string, RegulatoryClock>;
}

/** How an alert type was matched against the configuration. */
export interface ResolvedAlertType {
  alert_type: string;
  route: AlertTypeRoute;
  /** False when the type took the default route. */
  known: boolean;
  custom: boolean;
}
