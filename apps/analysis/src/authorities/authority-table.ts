import type { AuthoritiesConfig, Person } from './authorities.types';

/** One alert type as the demo prints it: weight, category and the people behind each role. */
export interface AuthorityTableRow {
  alert_type: string;
  kind: 'built_in' | 'custom' | 'default_route';
  category: string;
  severity_weight: number;
  roles: { role: string; people: Person[] }[];
}

export interface EscalationRuleDescription {
  rule: 'high_severity' | 'executive' | 'customer_impact';
  when: string;
  adds: { role: string; people: Person[] }[];
}

export interface AuthorityTable {
  alert_types: AuthorityTableRow[];
  escalation: EscalationRuleDescription[];
}

/** Describes the live configuration for display (`npm run demo -- mappings`); pure, no I/O. */
export function describeAuthorities(config: AuthoritiesConfig): AuthorityTable {
  const staffed = (roles: string[]): { role: string; people: Person[] }[] =>
    roles.map((role) => ({ role, people: config.roles[role] ?? [] }));
  const row = (alertType: string, kind: AuthorityTableRow['kind'], route: AuthoritiesConfig['default_route']) => ({
    alert_type: alertType,
    kind,
    category: route.category,
    severity_weight: route.severity_weight,
    roles: staffed(route.typical_attendees),
  });
  const { high_severity: highSeverity, executive, customer_impact: customerImpact } = config.escalation;

  return {
    alert_types: [
      ...Object.entries(config.alert_types).map(([name, route]) => row(name, 'built_in', route)),
      ...Object.entries(config.custom_alert_types).map(([name, route]) => row(name, 'custom', route)),
      row('(any other type)', 'default_route', config.default_route),
    ],
    escalation: [
      {
        rule: 'high_severity',
        when: `severity is ${orList(highSeverity.severities)}`,
        adds: staffed(highSeverity.add_roles),
      },
      {
        rule: 'executive',
        when: `severity is ${orList(executive.severities)} and type is ${orList(executive.alert_types)}`,
        adds: staffed(executive.add_roles),
      },
      {
        rule: 'customer_impact',
        when: `context.${customerImpact.context_flag} is true`,
        adds: staffed(customerImpact.add_roles),
      },
    ],
  };
}

function orList(values: readonly string[]): string {
  return values.join(' or ');
}
