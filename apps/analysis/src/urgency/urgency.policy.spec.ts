import type { Severity, UrgencyLevel } from '#libs/contracts';
import { resolveAlertType } from '../authorities/attendee.policy';
import { anAlert, shippedAuthorities } from '../testing/analysis.fixtures';
import { assessUrgency, urgencyScore } from './urgency.policy';

const config = shippedAuthorities();

type Expected = [score: number, level: UrgencyLevel];
/** Worked out by hand from the seed's weights: [critical, high, medium, low]. */
const TABLE: Record<string, [Expected, Expected, Expected, Expected]> = {
  security_incident: [
    [1, 'CRITICAL'],
    [0.8, 'CRITICAL'],
    [0.5, 'MEDIUM'],
    [0.3, 'LOW'],
  ],
  compliance_violation: [
    [0.9, 'CRITICAL'],
    [0.72, 'HIGH'],
    [0.45, 'MEDIUM'],
    [0.27, 'LOW'],
  ],
  system_failure: [
    [1, 'CRITICAL'],
    [0.8, 'CRITICAL'],
    [0.5, 'MEDIUM'],
    [0.3, 'LOW'],
  ],
  performance_degradation: [
    [0.7, 'HIGH'],
    [0.56, 'MEDIUM'],
    [0.35, 'LOW'],
    [0.21, 'LOW'],
  ],
  data_quality_issue: [
    [0.6, 'HIGH'],
    [0.48, 'MEDIUM'],
    [0.3, 'LOW'],
    [0.18, 'LOW'],
  ],
  integration_failure: [
    [0.8, 'CRITICAL'],
    [0.64, 'HIGH'],
    [0.4, 'MEDIUM'],
    [0.24, 'LOW'],
  ],
  capacity_warning: [
    [0.5, 'MEDIUM'],
    [0.4, 'MEDIUM'],
    [0.25, 'LOW'],
    [0.15, 'LOW'],
  ],
  sla_breach: [
    [0.85, 'CRITICAL'],
    [0.68, 'HIGH'],
    [0.43, 'MEDIUM'],
    [0.26, 'LOW'],
  ],
  cost_overrun: [
    [0.7, 'HIGH'],
    [0.56, 'MEDIUM'],
    [0.35, 'LOW'],
    [0.21, 'LOW'],
  ],
  vendor_outage_unknown: [
    [0.5, 'MEDIUM'],
    [0.4, 'MEDIUM'],
    [0.25, 'LOW'],
    [0.15, 'LOW'],
  ],
};
const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];
const WINDOW: Record<UrgencyLevel, [number, string, number]> = {
  CRITICAL: [60, '< 1 hour', 60],
  HIGH: [240, '< 4 hours', 45],
  MEDIUM: [1440, '< 24 hours', 30],
  LOW: [2880, '< 48 hours', 15],
};

const cases = Object.entries(TABLE).flatMap(([alertType, row]) =>
  row.map(([score, level], index) => ({ alertType, severity: SEVERITY_ORDER[index], score, level })),
);

describe('assessUrgency', () => {
  it.each(cases)('$alertType at $severity scores $score and is $level', ({ alertType, severity, score, level }) => {
    const alert = anAlert({ alert_type: alertType, severity, affected_systems: ['a'] });
    const weight = resolveAlertType(config, alertType).route.severity_weight;

    const urgency = assessUrgency(alert, weight, config.urgency);

    const [window, wording, duration] = WINDOW[level];
    expect(urgency).toEqual({
      level,
      score,
      response_window_minutes: window,
      recommended_response_time: wording,
      duration_minutes: duration,
    });
  });

  describe("the seed's three examples", () => {
    it('critical security_incident scores 1.0 and is CRITICAL within an hour for 60 minutes', () => {
      const urgency = assessUrgency(anAlert({ severity: 'critical' }), 1.0, config.urgency);
      expect([urgency.score, urgency.level, urgency.response_window_minutes, urgency.duration_minutes]).toEqual([
        1,
        'CRITICAL',
        60,
        60,
      ]);
    });

    it('medium performance_degradation scores exactly 0.35 and is LOW, not MEDIUM', () => {
      const urgency = assessUrgency(anAlert({ severity: 'medium', affected_systems: [] }), 0.7, config.urgency);
      expect(urgency.score).toBe(0.35);
      expect(urgency.level).toBe('LOW');
    });

    it('high compliance_violation scores exactly 0.72 and is HIGH within four hours for 45 minutes', () => {
      const urgency = assessUrgency(anAlert({ severity: 'high', affected_systems: [] }), 0.9, config.urgency);
      expect([urgency.score, urgency.level, urgency.response_window_minutes, urgency.duration_minutes]).toEqual([
        0.72,
        'HIGH',
        240,
        45,
      ]);
    });
  });

  it('avoids binary float artefacts such as 0.7200000000000001', () => {
    expect(0.8 * 0.9).not.toBe(0.72);
    expect(urgencyScore('medium', 0.7)).toBe(0.35);
    expect(urgencyScore('high', 0.9)).toBe(0.72);
    expect(urgencyScore('low', 0.1)).toBe(0.03);
  });

  it('more than three affected systems lengthen the meeting to 60 minutes', () => {
    const four = ['a', 'b', 'c', 'd'];
    expect(
      assessUrgency(anAlert({ severity: 'medium', affected_systems: four }), 1, config.urgency).duration_minutes,
    ).toBe(60);
    expect(
      assessUrgency(anAlert({ severity: 'high', affected_systems: four }), 0.9, config.urgency).duration_minutes,
    ).toBe(60);
  });

  it('exactly three affected systems keep the level duration', () => {
    const urgency = assessUrgency(
      anAlert({ severity: 'medium', affected_systems: ['a', 'b', 'c'] }),
      1,
      config.urgency,
    );
    expect(urgency.duration_minutes).toBe(30);
  });

  it('clamps the many-systems duration to the level maximum', () => {
    const policy = structuredClone(config.urgency);
    policy.levels.LOW.duration_minutes.max = 30;
    const urgency = assessUrgency(anAlert({ severity: 'low', affected_systems: ['a', 'b', 'c', 'd'] }), 0.5, policy);
    expect(urgency.duration_minutes).toBe(30);
  });

  it('clamps a default below the level minimum up to the minimum', () => {
    const policy = structuredClone(config.urgency);
    policy.many_affected_systems.duration_minutes = 5;
    const urgency = assessUrgency(anAlert({ severity: 'critical', affected_systems: ['a', 'b', 'c', 'd'] }), 1, policy);
    expect(urgency.duration_minutes).toBe(30);
  });

  it('a score exactly on a threshold takes that level', () => {
    expect(assessUrgency(anAlert({ severity: 'high' }), 1, config.urgency).level).toBe('CRITICAL');
    expect(assessUrgency(anAlert({ severity: 'high' }), 0.75, config.urgency).level).toBe('HIGH');
    expect(assessUrgency(anAlert({ severity: 'medium' }), 0.8, config.urgency).level).toBe('MEDIUM');
  });
});
