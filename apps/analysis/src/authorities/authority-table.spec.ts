import { shippedAuthorities } from '../testing/analysis.fixtures';
import { describeAuthorities } from './authority-table';

describe('describeAuthorities', () => {
  const table = describeAuthorities(shippedAuthorities());

  it('lists built-in types, then custom types, then the default route', () => {
    expect(table.alert_types.map((row) => `${row.kind}:${row.alert_type}`)).toEqual([
      'built_in:security_incident',
      'built_in:compliance_violation',
      'built_in:system_failure',
      'built_in:performance_degradation',
      'built_in:data_quality_issue',
      'built_in:integration_failure',
      'built_in:capacity_warning',
      'custom:sla_breach',
      'custom:cost_overrun',
      'default_route:(any other type)',
    ]);
  });

  it('shows the people behind each role', () => {
    const security = table.alert_types[0];
    expect(security?.roles[1]).toEqual({
      role: 'CISO',
      people: [{ name: 'Dana Whitfield', email: 'ciso@example.com' }],
    });
  });

  it('describes the three escalation rules in words', () => {
    expect(table.escalation.map((rule) => [rule.rule, rule.when, rule.adds.map((add) => add.role)])).toEqual([
      ['high_severity', 'severity is critical or high', ['Management']],
      [
        'executive',
        'severity is critical or high and type is security_incident or compliance_violation',
        ['Executive Sponsor'],
      ],
      ['customer_impact', 'context.customer_facing is true', ['Customer Success Lead', 'Communications']],
    ]);
  });
});
