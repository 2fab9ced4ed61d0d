import type {
  Alert,
  Attendee,
  ComplianceAssessment,
  ComplianceStatus,
  FrameworkAssessment,
  MeetingContext,
  RegulatoryDeadline,
  RiskLevel,
  RootCause,
  Urgency,
  UrgencyLevel,
} from '#libs/contracts';
import type { RegulatoryClock, ResolvedAlertType } from '../authorities/authorities.types';

/** What the deterministic templates work from: the alert and the decisions already taken. */
export interface TemplateInput {
  alert: Alert;
  resolved: ResolvedAlertType;
  urgency: Urgency;
  attendees: Attendee[];
}

interface Playbook {
  mechanism: string;
  control_gap: string;
  process_gap: string;
  root_cause: string;
  recommendations: string[];
}

const GENERIC_PLAYBOOK: Playbook = {
  mechanism: 'a component on the affected systems stopped behaving within its expected limits',
  control_gap: 'no automated guard stopped the condition before it became visible to monitoring',
  process_gap: 'the runbook for this kind of event does not define an owner for early signals',
  root_cause: 'a gap between the detection rules and the ownership of the affected systems',
  recommendations: [
    'Confirm the scope of impact on every affected system and assign an owner to each',
    'Contain the condition (roll back, isolate or scale) before investigating further',
    'Add or tune an early-warning alert for the first signal of this condition',
    'Write or update the runbook and review it in the follow-up meeting',
  ],
};

const PLAYBOOKS: Readonly<Record<string, Playbook>> = {
  security_incident: {
    mechanism: 'an actor attempted to use credentials or an exposed access path against the affected systems',
    control_gap: 'authentication controls (rate limiting, MFA, lockout) did not stop the attempts early',
    process_gap: 'credential rotation and access reviews did not cover the exposed path',
    root_cause: 'weak or exposed credentials on an access path without sufficient authentication controls',
    recommendations: [
      'Block the offending sources and revoke or rotate the credentials involved',
      'Enforce MFA and lockout on the affected access paths',
      'Preserve logs and run a forensic review of what was accessed',
      'Assess data exposure and decide on regulatory and customer notification',
      'Schedule an access review of every account on the affected systems',
    ],
  },
  compliance_violation: {
    mechanism: 'a control required by the applicable framework was not operating on the affected systems',
    control_gap: 'continuous control monitoring did not detect the drift before ChainSync did',
    process_gap: 'the change process let a non-compliant configuration reach production',
    root_cause: 'a change introduced without a compliance check against the required controls',
    recommendations: [
      'Restore the failing control and document the remediation with evidence',
      'Determine the period and data in scope of the violation',
      'Decide whether regulators, auditors or customers must be notified',
      'Add a compliance gate to the change process for the affected systems',
    ],
  },
  system_failure: {
    mechanism: 'a production component failed and dependent services lost availability',
    control_gap: 'redundancy or failover did not absorb the failure',
    process_gap: 'capacity and failure-mode testing did not cover this failure path',
    root_cause: 'a single point of failure without tested failover',
    recommendations: [
      'Restore service through failover, rollback or restart, in that order of preference',
      'Communicate status to affected users and internal stakeholders',
      'Capture a timeline and the triggering change or event',
      'Add redundancy or a tested failover for the failed component',
    ],
  },
  performance_degradation: {
    mechanism: 'latency or throughput on the affected systems moved outside their objectives',
    control_gap: 'autoscaling or load shedding did not keep the service within its objectives',
    process_gap: 'performance regressions are not caught by pre-release load tests',
    root_cause: 'a resource bottleneck or regression that reached production untested under load',
    recommendations: [
      'Identify the bottleneck from traces and resource metrics',
      'Mitigate with scaling, caching or rolling back the latest change',
      'Add a load test covering the degraded path to the release pipeline',
      'Review service-level objectives and alert thresholds with the product owner',
    ],
  },
  data_quality_issue: {
    mechanism: 'records on the affected pipelines failed validation or drifted from expected values',
    control_gap: 'schema and quality checks did not quarantine the bad records at ingestion',
    process_gap: 'upstream changes to data producers are not coordinated with consumers',
    root_cause: 'an upstream data change without a contract or validation at the boundary',
    recommendations: [
      'Quarantine the affected data and stop downstream propagation',
      'Identify the upstream change and the time window affected',
      'Backfill or correct the affected records and notify data consumers',
      'Add data contracts and validation checks at the ingestion boundary',
    ],
  },
  integration_failure: {
    mechanism: 'calls between the affected systems and a partner or internal API started failing',
    control_gap: 'retries, circuit breakers or queues did not isolate the failing dependency',
    process_gap: 'interface changes on either side were not tested against the other',
    root_cause: 'an interface change or outage of a dependency without contract tests or isolation',
    recommendations: [
      "Identify the failing endpoint and whether the fault is ours or the partner's",
      'Replay or reconcile the messages that failed during the incident',
      'Add circuit breaking and a dead-letter path for the integration',
      'Agree contract tests and change notices with the partner',
    ],
  },
  capacity_warning: {
    mechanism: 'resource usage on the affected systems approached its provisioned limit',
    control_gap: 'autoscaling limits or quotas are below the current growth',
    process_gap: 'capacity forecasts are not reviewed against actual growth',
    root_cause: 'growth outpacing the capacity plan',
    recommendations: [
      'Estimate time to exhaustion from the current growth rate',
      'Add headroom now (scale, clean up or raise quotas) with FinOps approval',
      'Update the capacity forecast and its review cadence',
    ],
  },
};

const LEVEL_PREFIX: Record<UrgencyLevel, string> = {
  CRITICAL: 'URGENT',
  HIGH: 'High priority',
  MEDIUM: 'Review',
  LOW: 'Review',
};

const LEVEL_RISK: Record<UrgencyLevel, RiskLevel> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
};

export function humanize(alertType: string): string {
  return alertType
    .split(/[_\s-]+/)
    .filter((word) => word.length > 0)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ');
}

function systemsPhrase(alert: Alert): string {
  return alert.affected_systems.length > 0 ? alert.affected_systems.join(', ') : 'the reported systems';
}

function headline(description: string): string {
  const firstSentence = description.split(/(?<=[.!?])\s/)[0]?.trim() ?? '';
  return firstSentence.length > 80 ? `${firstSentence.slice(0, 77).trimEnd()}...` : firstSentence.replace(/[.!?]$/, '');
}

export function templateRootCause({ alert }: TemplateInput): RootCause {
  const playbook = PLAYBOOKS[alert.alert_type] ?? GENERIC_PLAYBOOK;
  return {
    summary: `Probable root cause: ${playbook.root_cause}. To be confirmed in the meeting.`,
    five_whys: [
      `Why was the alert raised? ChainSync reported: ${headline(alert.description)} (${systemsPhrase(alert)}).`,
      `Why did that happen? Most likely ${playbook.mechanism}.`,
      `Why was it not prevented? ${capitalize(playbook.control_gap)}.`,
      `Why was that control missing? ${capitalize(playbook.process_gap)}.`,
      `Why does that gap exist? The underlying cause is ${playbook.root_cause}.`,
    ],
    recommendations: playbook.recommendations.slice(0, 5),
  };
}

/** The framework statuses a rule can infer from the alert alone, without reading logs. */
function templateFrameworkStatus(alert: Alert): ComplianceStatus {
  const serious = alert.severity === 'critical' || alert.severity === 'high';
  if (alert.alert_type === 'compliance_violation') return 'violation_detected';
  if (alert.alert_type === 'security_incident') return alert.severity === 'critical' ? 'violation_detected' : 'at_risk';
  return serious ? 'at_risk' : 'compliant';
}

const STATUS_ORDER: ComplianceStatus[] = ['violation_detected', 'at_risk', 'compliant', 'not_assessed'];

export function worstStatus(statuses: ComplianceStatus[]): ComplianceStatus {
  return STATUS_ORDER.find((status) => statuses.includes(status)) ?? 'not_assessed';
}

export function templateCompliance(input: TemplateInput): Omit<ComplianceAssessment, 'regulatory_deadlines'> {
  const { alert, urgency } = input;
  const status = templateFrameworkStatus(alert);
  const frameworks: FrameworkAssessment[] = alert.compliance_frameworks.map((framework) => ({
    framework,
    status,
    findings: [
      `${humanize(alert.alert_type)} of ${alert.severity} severity on ${systemsPhrase(alert)} falls under ${framework}.`,
      'Assessment made by rule, without an AI review; confirm with the compliance owner.',
    ],
    violations:
      status === 'violation_detected'
        ? [`${framework}: controls covering ${systemsPhrase(alert)} failed to prevent the reported event`]
        : [],
  }));

  return {
    overall_status: worstStatus(frameworks.map((framework) => framework.status)),
    risk_level: LEVEL_RISK[urgency.level],
    frameworks,
  };
}

/**
 * Deadlines of the regulatory clocks that a possible breach starts, counted from detection. Only
 * frameworks assessed as at risk or in violation start a clock.
 */
export function regulatoryDeadlines(
  frameworks: FrameworkAssessment[],
  detectedAt: string,
  clocks: Record<string, RegulatoryClock>,
): RegulatoryDeadline[] {
  const detected = Date.parse(detectedAt);
  if (Number.isNaN(detected)) return [];
  return frameworks.flatMap((assessment) => {
    const clock = clockFor(assessment.framework, clocks);
    if (!clock || (assessment.status !== 'violation_detected' && assessment.status !== 'at_risk')) return [];
    return [
      {
        framework: assessment.framework,
        obligation: clock.obligation,
        due_at: new Date(detected + clock.hours * 3_600_000).toISOString(),
      },
    ];
  });
}

function clockFor(framework: string, clocks: Record<string, RegulatoryClock>): RegulatoryClock | undefined {
  const normalize = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return Object.entries(clocks).find(([name]) => normalize(name) === normalize(framework))?.[1];
}

export function templateMeetingContext(input: TemplateInput): MeetingContext {
  const { alert, urgency, resolved } = input;
  const type = humanize(alert.alert_type);
  const roles = [...new Set(input.attendees.map((attendee) => attendee.role))];
  const frameworks = alert.compliance_frameworks.join(', ');

  return {
    title: `${LEVEL_PREFIX[urgency.level]}: ${type} Response - ${headline(alert.description)}`.slice(0, 150),
    why_scheduled:
      `This meeting was scheduled automatically because ChainSync reported a ${alert.severity} ${type.toLowerCase()} ` +
      `on ${systemsPhrase(alert)}. Its urgency is ${urgency.level} (score ${urgency.score}), so the ${resolved.route.category} ` +
      `owners must meet ${urgency.recommended_response_time.replace('<', 'within less than')} to assess impact and agree on actions.`,
    discussion_points: templateDiscussionPoints(alert, frameworks),
    pre_meeting_summary: [
      `Alert ${alert.alert_id} (${type}, severity ${alert.severity}) detected at ${alert.detected_at}.`,
      `What ChainSync reported: ${alert.description}`,
      `Affected systems (${alert.affected_systems.length}): ${systemsPhrase(alert)}.`,
      `Urgency ${urgency.level}, score ${urgency.score}; meeting of ${urgency.duration_minutes} minutes.`,
      frameworks ? `Compliance frameworks in scope: ${frameworks}.` : 'No compliance framework was named.',
      `Invited roles: ${roles.join(', ')}.`,
      'Decisions needed: containment, ownership of the fix, and whether anyone outside the company must be told.',
    ].join(' '),
  };
}

function templateDiscussionPoints(alert: Alert, frameworks: string): string[] {
  const playbook = PLAYBOOKS[alert.alert_type] ?? GENERIC_PLAYBOOK;
  const points = [
    `Review what ChainSync detected on ${systemsPhrase(alert)} and confirm the current status`,
    'Assess the scope of impact on customers, data and dependent services',
    ...playbook.recommendations.slice(0, 3),
    frameworks
      ? `Determine notification and reporting duties under ${frameworks}`
      : 'Decide whether customers or partners need to be informed',
    'Assign owners and deadlines, and agree when to meet again',
  ];
  return points.slice(0, 7);
}

function capitalize(sentence: string): string {
  return sentence.length > 0 ? sentence[0]?.toUpperCase() + sentence.slice(1) : sentence;
}
