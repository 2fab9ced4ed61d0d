import { authoritiesText } from '../testing/analysis.fixtures';
import { AuthoritiesConfigError } from './authorities-config.exception';
import { loadAuthoritiesConfig, parseAuthoritiesConfig } from './authorities-config.loader';

const SOURCE = 'alert_authorities.yaml';

/** Replaces the first occurrence of `from` (which must exist) in the shipped file. */
function edited(from: string, to: string): string {
  const text = authoritiesText();
  if (!text.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return text.replace(from, to);
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`not found: ${needle}`);
  return text.slice(0, index).split('\n').length;
}

function rejection(text: string): AuthoritiesConfigError {
  try {
    parseAuthoritiesConfig(text, SOURCE);
  } catch (error) {
    if (error instanceof AuthoritiesConfigError) return error;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('parseAuthoritiesConfig', () => {
  it('accepts the shipped file with seven types, two custom types and the default route', () => {
    const config = parseAuthoritiesConfig(authoritiesText(), SOURCE);

    expect(Object.keys(config.alert_types)).toHaveLength(7);
    expect(
      Object.fromEntries(Object.entries(config.alert_types).map(([name, route]) => [name, route.severity_weight])),
    ).toEqual({
      security_incident: 1,
      compliance_violation: 0.9,
      system_failure: 1,
      performance_degradation: 0.7,
      data_quality_issue: 0.6,
      integration_failure: 0.8,
      capacity_warning: 0.5,
    });
    expect(config.custom_alert_types['sla_breach']?.severity_weight).toBe(0.85);
    expect(config.default_route.typical_attendees).toEqual(['On-Call Engineer', 'Incident Manager']);
    expect(config.scheduling.correlation_window_minutes).toBe(15);
  });

  it('fills defaults for the optional analysis section', () => {
    const withoutAnalysis = authoritiesText().split('\nanalysis:')[0] ?? '';
    const config = parseAuthoritiesConfig(withoutAnalysis, SOURCE);
    expect(config.analysis).toEqual({
      llm: { timeout_ms: 20000, max_retries: 2, temperature: 0.2 },
      redaction: { redact_ip_addresses: true },
      regulatory_clocks: {},
    });
  });

  it('accepts an empty conferencing template, meaning Convene links its own page', () => {
    const text = edited(
      "conference_link_template: 'https://meet.example.com/convene/{meeting_id}'",
      'conference_link_template:',
    );
    expect(parseAuthoritiesConfig(text, SOURCE).scheduling.conference_link_template).toBeNull();
  });

  it('rejects a conferencing template that is not an http(s) link', () => {
    const text = edited("'https://meet.example.com/convene/{meeting_id}'", "'ftp://meet/{meeting_id}'");
    expect(rejection(text).issues.map((issue) => issue.key)).toEqual(['scheduling.conference_link_template']);
  });

  it('names the key and line of a weight out of range', () => {
    const text = edited('severity_weight: 0.9', 'severity_weight: 1.9');

    const error = rejection(text);

    expect(error.code).toBe('CONFIG.AUTHORITIES_INVALID');
    expect(error.issues).toEqual([
      { key: 'alert_types.compliance_violation.severity_weight', line: lineOf(text, '1.9'), message: 'must be <= 1' },
    ]);
    expect(error.message).toContain(
      `${SOURCE}:${lineOf(text, '1.9')}: alert_types.compliance_violation.severity_weight`,
    );
  });

  it('names a misspelt key as unknown, on its own line', () => {
    const text = edited('    category: Performance', '    categroy: Performance');

    const error = rejection(text);

    expect(error.issues).toContainEqual({
      key: 'alert_types.performance_degradation.categroy',
      line: lineOf(text, 'categroy'),
      message: 'is not a known key',
    });
    expect(error.issues).toContainEqual(
      expect.objectContaining({ key: 'alert_types.performance_degradation.category', message: 'is required' }),
    );
  });

  it('names a role that roles does not define, with its list position and line', () => {
    const text = edited('[Security Team, CISO, Legal Team', '[Security Team, Chief Security, Legal Team');

    const error = rejection(text);

    expect(error.issues).toEqual([
      {
        key: 'alert_types.security_incident.typical_attendees.1',
        line: lineOf(text, 'Chief Security'),
        message: 'names role "Chief Security", which roles does not define',
      },
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = edited('  CISO:\n', '  CISO: [unclosed\n');

    const error = rejection(text);

    expect(error.issues[0]?.key).toBe('(yaml)');
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(lineOf(text, 'CISO: [unclosed'));
  });

  it('rejects a duplicated key', () => {
    const text = edited('  sla_breach:\n', '  cost_overrun:\n    severity_weight: 0.1\n  sla_breach:\n');

    const error = rejection(text);

    expect(error.issues[0]).toMatchObject({ key: '(yaml)', message: expect.stringMatching(/unique/i) as unknown });
  });

  it('rejects a custom type that repeats a built-in type', () => {
    const text = edited(
      'custom_alert_types:\n',
      'custom_alert_types:\n  system_failure:\n    severity_weight: 0.1\n    category: X\n    typical_attendees: [CISO]\n',
    );

    const error = rejection(text);

    expect(error.issues).toEqual([
      {
        key: 'custom_alert_types.system_failure',
        line: lineOf(text, 'severity_weight: 0.1'),
        message: 'repeats a type already under alert_types',
      },
    ]);
  });

  it('rejects thresholds out of order', () => {
    const text = edited('threshold: 0.6', 'threshold: 0.3');

    expect(rejection(text).issues).toEqual([
      {
        key: 'urgency.levels.HIGH.threshold',
        line: lineOf(text, 'threshold: 0.3'),
        message: "must be greater than MEDIUM's threshold",
      },
    ]);
  });

  it('rejects an unknown notification channel and lists the allowed ones', () => {
    const text = edited('notification_channels: [email, slack, chainsync]', 'notification_channels: [email, pager]');

    expect(rejection(text).issues[0]).toEqual({
      key: 'urgency.levels.CRITICAL.notification_channels.1',
      line: lineOf(text, '[email, pager]'),
      message: 'must be one of: email, slack, chainsync',
    });
  });

  it('rejects a time zone that does not exist', () => {
    const text = edited('timezone: America/New_York', 'timezone: Mars/Olympus_Mons');
    expect(rejection(text).issues).toEqual([
      { key: 'scheduling.timezone', line: lineOf(text, 'Mars/'), message: 'is not an IANA time zone' },
    ]);
  });

  it('points a missing section at the nearest line it can', () => {
    const text = edited('version: 1\n', '');
    expect(rejection(text).issues).toEqual([
      { key: 'version', line: expect.any(Number) as unknown, message: 'is required' },
    ]);
  });

  it('rejects a file whose escalation names an alert type that is not configured', () => {
    const text = edited(
      'alert_types: [security_incident, compliance_violation]',
      'alert_types: [security_incident, compliance_breach]',
    );
    expect(rejection(text).issues).toEqual([
      {
        key: 'escalation.executive.alert_types.1',
        line: lineOf(text, 'compliance_breach'),
        message: 'names alert type "compliance_breach", which is not configured',
      },
    ]);
  });
});

describe('loadAuthoritiesConfig', () => {
  it('names the file when it cannot be read', () => {
    expect(() => loadAuthoritiesConfig('/nonexistent/authorities.yaml')).toThrow(
      /\/nonexistent\/authorities\.yaml: \(file\) cannot be read/,
    );
  });
});
