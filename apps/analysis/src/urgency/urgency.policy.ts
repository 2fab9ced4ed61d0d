import { type Alert, type Severity, type Urgency, URGENCY_LEVELS, type UrgencyLevel } from '#libs/contracts';
import type { LevelPolicy, UrgencyPolicy } from '../authorities/authorities.types';

/** Severity scores fixed by DESIGN.md. */
export const SEVERITY_SCORES: Readonly<Record<Severity, number>> = { critical: 1.0, high: 0.8, medium: 0.5, low: 0.3 };

/**
 * severity score × weight on a hundredths grid. Binary floats make 0.5 × 0.7 come out as
 * 0.35000000000000003 and 0.8 × 0.9 as 0.7200000000000001, so both factors are scaled to integers
 * first and the product rounded once.
 */
export function urgencyScore(severity: Severity, weight: number): number {
  const product = Math.round(SEVERITY_SCORES[severity] * 100) * Math.round(weight * 10000);
  return Math.round(product / 10000) / 100;
}

export function urgencyLevel(score: number, policy: UrgencyPolicy): UrgencyLevel {
  return URGENCY_LEVELS.find((level) => score >= policy.levels[level].threshold) ?? 'LOW';
}

/** Score, level, response window and meeting duration of an alert routed with `weight`. */
export function assessUrgency(
  alert: Pick<Alert, 'severity' | 'affected_systems'>,
  weight: number,
  policy: UrgencyPolicy,
): Urgency {
  const score = urgencyScore(alert.severity, weight);
  const level = urgencyLevel(score, policy);
  const levelPolicy = policy.levels[level];

  return {
    level,
    score,
    response_window_minutes: levelPolicy.response_window_minutes,
    recommended_response_time: levelPolicy.recommended_response_time,
    duration_minutes: meetingDuration(alert.affected_systems.length, levelPolicy, policy),
  };
}

function meetingDuration(affectedSystems: number, level: LevelPolicy, policy: UrgencyPolicy): number {
  const { many_affected_systems: many } = policy;
  const wanted = affectedSystems > many.more_than ? many.duration_minutes : level.duration_minutes.default;
  return Math.min(level.duration_minutes.max, Math.max(level.duration_minutes.min, wanted));
}
