import type { AuthorityTable } from '../../apps/analysis/src/authorities/authority-table';

const HEAVY = '='.repeat(80);
const LIGHT = '─'.repeat(80);

const KIND: Record<AuthorityTable['alert_types'][number]['kind'], string> = {
  built_in: 'built-in',
  custom: 'custom',
  default_route: 'fallback',
};

/** The authority mappings and escalation rules, as `npm run demo -- mappings` prints them. */
export function renderAuthorityTable(table: AuthorityTable, source: string): string {
  const lines = [HEAVY, `AUTHORITY MAPPINGS  (${source})`, HEAVY];
  for (const row of table.alert_types) {
    lines.push(
      '',
      `${row.alert_type}  ·  ${KIND[row.kind]}  ·  ${row.category}  ·  weight ${row.severity_weight.toFixed(2)}`,
    );
    lines.push(...staffedRoles(row.roles));
  }
  lines.push('', 'ESCALATION RULES', LIGHT);
  for (const rule of table.escalation) {
    lines.push(`${rule.rule}: when ${rule.when}, also invite`, ...staffedRoles(rule.adds), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function staffedRoles(roles: AuthorityTable['alert_types'][number]['roles']): string[] {
  const width = Math.max(...roles.map((entry) => entry.role.length), 4);
  return roles.map(({ role, people }) => {
    const staff = people.length === 0 ? '(nobody configured)' : people.map((p) => `${p.name} <${p.email}>`).join(', ');
    return `  • ${role.padEnd(width)}  ${staff}`;
  });
}
