import Ajv from 'ajv';
import type { FrameworkAssessment, Severity } from '#libs/contracts';
import { resolveAlertType, selectAttendees } from '../authorities/attendee.policy';
import { anAlert, shippedAuthorities } from '../testing/analysis.fixtures';
import { assessUrgency } from '../urgency/urgency.policy';
import { COMPLIANCE_SCHEMA, MEETING_CONTEXT_SCHEMA, ROOT_CAUSE_SCHEMA } from './agent.schemas';
import {
  regulatoryDeadlines,
  type TemplateInput,
  templateCompliance,
  templateMeetingContext,
  templateRootCause,
  worstStatus,
} from './analysis-templates.policy';

const config = shippedAuthorities();
const ajv = new Ajv({ strict: true });
const schemas = {
  rootCause: ajv.compile(ROOT_CAUSE_SCHEMA),
  compliance: ajv.compile(COMPLIANCE_SCHEMA),
  meetingContext: ajv.compile(MEETING_CONTEXT_SCHEMA),
};
const TYPES = [...Object.keys(config.alert_types), ...Object.keys(config.custom_alert_types), 'never_heard_of_it'];
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

function inputFor(alertType: string, severity: Severity, frameworks = ['SOC2', 'GDPR']): TemplateInput {
  const alert = anAlert({ alert_type: alertType, severity, compliance_frameworks: frameworks });
  const resolved = resolveAlertType(config, alertType);
  return {
    alert,
    resolved,
    urgency: assessUrgency(alert, resolved.route.severity_weight, config.urgency),
    attendees: selectAttendees(config, alert, resolved),
  };
}

describe('templates', () => {
  const cases = TYPES.flatMap((alertType) => SEVERITIES.map((severity) => ({ alertType, severity })));

  it.each(cases)('$alertType at $severity fills every field within the agent schemas', ({ alertType, severity }) => {
    const input = inputFor(alertType, severity);

    expect(schemas.rootCause(templateRootCause(input))).toBe(true);
    expect(schemas.compliance(templateCompliance(input))).toBe(true);
    expect(schemas.meetingContext(templateMeetingContext(input))).toBe(true);
  });

  it('titles a critical alert URGENT and a low one as a review', () => {
    expect(templateMeetingContext(inputFor('security_incident', 'critical')).title).toMatch(
      /^URGENT: Security Incident/,
    );
    expect(templateMeetingContext(inputFor('capacity_warning', 'low')).title).toMatch(/^Review: Capacity Warning/);
  });

  it('marks compliance as not assessed when no framework was named', () => {
    expect(templateCompliance(inputFor('compliance_violation', 'high', []))).toEqual({
      overall_status: 'not_assessed',
      risk_level: 'high',
      frameworks: [],
    });
  });
});

describe('regulatoryDeadlines', () => {
  const assessed = (framework: string, status: FrameworkAssessment['status']): FrameworkAssessment => ({
    framework,
    status,
    findings: [],
    violations: [],
  });
  const clocks = config.analysis.regulatory_clocks;

  it('counts GDPR 72 hours, HIPAA 60 days and PCI-DSS 24 hours from detection', () => {
    const deadlines = regulatoryDeadlines(
      [assessed('GDPR', 'violation_detected'), assessed('hipaa', 'at_risk'), assessed('PCI DSS', 'violation_detected')],
      '2025-11-28T10:00:00Z',
      clocks,
    );

    expect(deadlines.map((deadline) => [deadline.framework, deadline.due_at])).toEqual([
      ['GDPR', '2025-12-01T10:00:00.000Z'],
      ['hipaa', '2026-01-27T10:00:00.000Z'],
      ['PCI DSS', '2025-11-29T10:00:00.000Z'],
    ]);
  });

  it('starts no clock for a compliant framework or one without a clock', () => {
    expect(
      regulatoryDeadlines(
        [assessed('GDPR', 'compliant'), assessed('SOC2', 'violation_detected')],
        '2025-11-28T10:00:00Z',
        clocks,
      ),
    ).toEqual([]);
  });
});

describe('worstStatus', () => {
  it('ranks a violation above a risk above compliance', () => {
    expect(worstStatus(['compliant', 'violation_detected', 'at_risk'])).toBe('violation_detected');
    expect(worstStatus(['compliant', 'at_risk'])).toBe('at_risk');
    expect(worstStatus([])).toBe('not_assessed');
  });
});
