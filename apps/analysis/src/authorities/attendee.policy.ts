import type { Alert, Attendee, InvitationRule } from '#libs/contracts';
import type { AuthoritiesConfig, ResolvedAlertType } from './authorities.types';

/** Finds the route of an alert type; types in neither list take the default route and are flagged. */
export function resolveAlertType(config: AuthoritiesConfig, alertType: string): ResolvedAlertType {
  const builtIn = Object.hasOwn(config.alert_types, alertType) ? config.alert_types[alertType] : undefined;
  if (builtIn) return { alert_type: alertType, route: builtIn, known: true, custom: false };

  const custom = Object.hasOwn(config.custom_alert_types, alertType) ? config.custom_alert_types[alertType] : undefined;
  if (custom) return { alert_type: alertType, route: custom, known: true, custom: true };

  return { alert_type: alertType, route: config.default_route, known: false, custom: false };
}

/** The roles each rule adds for this alert, in the order rules are applied. */
export function invitedRoles(
  config: AuthoritiesConfig,
  alert: Pick<Alert, 'alert_type' | 'severity' | 'context'>,
  resolved: ResolvedAlertType,
): { rule: InvitationRule; roles: string[] }[] {
  const { high_severity: highSeverity, executive, customer_impact: customerImpact } = config.escalation;
  const rules: { rule: InvitationRule; roles: string[] }[] = [
    { rule: resolved.known ? 'alert_type' : 'default_route', roles: resolved.route.typical_attendees },
  ];

  if (highSeverity.severities.includes(alert.severity)) {
    rules.push({ rule: 'high_severity', roles: highSeverity.add_roles });
  }
  if (executive.severities.includes(alert.severity) && executive.alert_types.includes(alert.alert_type)) {
    rules.push({ rule: 'executive', roles: executive.add_roles });
  }
  if (alert.context[customerImpact.context_flag] === true) {
    rules.push({ rule: 'customer_impact', roles: customerImpact.add_roles });
  }
  return rules;
}

/**
 * The people to invite: each role resolved to its people, in rule order, once per email address
 * (case-insensitive), credited to the first rule that reached them.
 */
export function selectAttendees(
  config: AuthoritiesConfig,
  alert: Pick<Alert, 'alert_type' | 'severity' | 'context'>,
  resolved: ResolvedAlertType,
): Attendee[] {
  const seen = new Set<string>();
  const attendees: Attendee[] = [];

  for (const { rule, roles } of invitedRoles(config, alert, resolved)) {
    for (const role of roles) {
      for (const person of config.roles[role] ?? []) {
        const key = person.email.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        attendees.push({ role, name: person.name, email: person.email, invited_by: rule });
      }
    }
  }
  return attendees;
}
