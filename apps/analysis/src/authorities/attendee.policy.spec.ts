import type { Severity } from '#libs/contracts';
import { anAlert, shippedAuthorities } from '../testing/analysis.fixtures';
import { resolveAlertType, selectAttendees } from './attendee.policy';
import type { AuthoritiesConfig } from './authorities.types';

const config = shippedAuthorities();

/** Each type's own roles, as the seed lists them (custom types and the default route from the config). */
const TYPE_ROLES: Record<string, string[]> = {
  security_incident: ['Security Team', 'CISO', 'Legal Team', 'Incident Response Team'],
  compliance_violation: ['Compliance Officer', 'Legal Team', 'IT Security Lead', 'Risk Manager'],
  system_failure: ['DevOps Lead', 'Engineering Lead', 'SRE Team', 'Infrastructure Manager', 'On-Call Engineer'],
  performance_degradation: ['Engineering Team', 'DevOps Team', 'Product Manager', 'Performance Engineer'],
  data_quality_issue: ['Data Engineering Lead', 'Analytics Team', 'QA Lead', 'Data Steward'],
  integration_failure: ['Integration Team', 'MuleSoft Administrator', 'API Team', 'Partner Relations'],
  capacity_warning: ['Infrastructure Team', 'DevOps Team', 'Finance/FinOps', 'Capacity Planning'],
  sla_breach: ['Account Manager', 'Customer Success Lead'],
  cost_overrun: ['Finance/FinOps', 'Infrastructure Manager', 'Engineering Lead'],
  brand_new_type: ['On-Call Engineer', 'Incident Manager'],
};
const EXECUTIVE_TYPES = new Set(['security_incident', 'compliance_violation']);
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

const cases = Object.keys(TYPE_ROLES).flatMap((alertType) => SEVERITIES.map((severity) => ({ alertType, severity })));

function rolesOf(alertType: string, severity: Severity, context: Record<string, unknown> = {}, cfg = config) {
  const alert = anAlert({ alert_type: alertType, severity, context });
  return selectAttendees(cfg, alert, resolveAlertType(cfg, alertType));
}

describe('selectAttendees', () => {
  it.each(cases)('$alertType at $severity invites the type roles plus its escalations', ({ alertType, severity }) => {
    const serious = severity === 'critical' || severity === 'high';
    const expected = [
      ...(TYPE_ROLES[alertType] ?? []),
      ...(serious ? ['Management'] : []),
      ...(serious && EXECUTIVE_TYPES.has(alertType) ? ['Executive Sponsor'] : []),
    ];

    const attendees = rolesOf(alertType, severity);

    expect(attendees.map((attendee) => attendee.role)).toEqual(expected);
  });

  it("critical security_incident invites the seed's six authorities with their configured people", () => {
    const attendees = rolesOf('security_incident', 'critical');

    expect(attendees).toEqual([
      { role: 'Security Team', name: 'Security Operations', email: 'security@example.com', invited_by: 'alert_type' },
      { role: 'CISO', name: 'Dana Whitfield', email: 'ciso@example.com', invited_by: 'alert_type' },
      { role: 'Legal Team', name: 'Legal Counsel', email: 'legal@example.com', invited_by: 'alert_type' },
      {
        role: 'Incident Response Team',
        name: 'Incident Response',
        email: 'incident-response@example.com',
        invited_by: 'alert_type',
      },
      { role: 'Management', name: 'Chris Morgan', email: 'management@example.com', invited_by: 'high_severity' },
      {
        role: 'Executive Sponsor',
        name: 'Alex Rivera',
        email: 'executive-sponsor@example.com',
        invited_by: 'executive',
      },
    ]);
  });

  it('high system_failure adds Management but not the Executive Sponsor', () => {
    const rules = rolesOf('system_failure', 'high').map((attendee) => `${attendee.role}:${attendee.invited_by}`);
    expect(rules).toContain('Management:high_severity');
    expect(rules.some((rule) => rule.startsWith('Executive Sponsor'))).toBe(false);
  });

  it('a customer-facing alert adds the customer-impact people', () => {
    const attendees = rolesOf('performance_degradation', 'low', { customer_facing: true });
    expect(attendees.filter((attendee) => attendee.invited_by === 'customer_impact').map((a) => a.role)).toEqual([
      'Customer Success Lead',
      'Communications',
    ]);
  });

  it('customer_facing must be the boolean true, not a truthy string', () => {
    const attendees = rolesOf('performance_degradation', 'low', { customer_facing: 'yes' });
    expect(attendees.some((attendee) => attendee.invited_by === 'customer_impact')).toBe(false);
  });

  it('a person already invited by the type is not invited again by an escalation, and keeps the first rule', () => {
    const attendees = rolesOf('sla_breach', 'critical', { customer_facing: true });

    const successLeads = attendees.filter((attendee) => attendee.email === 'customer-success@example.com');
    expect(successLeads).toEqual([
      {
        role: 'Customer Success Lead',
        name: 'Jordan Blake',
        email: 'customer-success@example.com',
        invited_by: 'alert_type',
      },
    ]);
    expect(attendees.map((attendee) => attendee.invited_by)).toEqual([
      'alert_type',
      'alert_type',
      'high_severity',
      'customer_impact',
    ]);
  });

  it('de-duplicates by email across different roles, ignoring case', () => {
    const shared: AuthoritiesConfig = structuredClone(config);
    shared.roles['Management'] = [{ name: 'The CISO again', email: 'CISO@example.com' }];

    const attendees = rolesOf('security_incident', 'critical', {}, shared);

    expect(attendees.filter((attendee) => attendee.email.toLowerCase() === 'ciso@example.com')).toEqual([
      { role: 'CISO', name: 'Dana Whitfield', email: 'ciso@example.com', invited_by: 'alert_type' },
    ]);
  });

  it('invites every person of a role that names several', () => {
    const staffed: AuthoritiesConfig = structuredClone(config);
    staffed.roles['CISO'] = [
      { name: 'Dana Whitfield', email: 'ciso@example.com' },
      { name: 'Deputy CISO', email: 'deputy-ciso@example.com' },
    ];

    const cisos = rolesOf('security_incident', 'low', {}, staffed).filter((attendee) => attendee.role === 'CISO');

    expect(cisos.map((attendee) => attendee.email)).toEqual(['ciso@example.com', 'deputy-ciso@example.com']);
  });
});

describe('resolveAlertType', () => {
  it('finds a custom type with its own weight and marks it known', () => {
    expect(resolveAlertType(config, 'sla_breach')).toMatchObject({
      known: true,
      custom: true,
      route: { severity_weight: 0.85, category: 'Customer Success' },
    });
  });

  it('routes an unknown type to the default route and flags it unknown', () => {
    const resolved = resolveAlertType(config, 'quantum_flux');
    expect(resolved).toMatchObject({ known: false, custom: false, route: { severity_weight: 0.5 } });
    const invitedBy = selectAttendees(config, anAlert({ alert_type: 'quantum_flux', severity: 'low' }), resolved).map(
      (attendee) => attendee.invited_by,
    );
    expect(invitedBy).toEqual(['default_route', 'default_route']);
  });

  it('does not treat inherited object keys such as constructor as configured types', () => {
    expect(resolveAlertType(config, 'constructor').known).toBe(false);
    expect(resolveAlertType(config, '__proto__').known).toBe(false);
  });
});
