import { Injectable } from '@nestjs/common';
import type { AlertAnalyzedV1, AlertReceivedV1 } from '#libs/contracts';
import { AnalysisAgentsService, type AgentsOutcome } from './agents/analysis-agents.service';
import type { TemplateInput } from './agents/analysis-templates.policy';
import { resolveAlertType, selectAttendees } from './authorities/attendee.policy';
import { AuthoritiesConfigService } from './authorities/authorities-config.service';
import type { AuthoritiesConfig } from './authorities/authorities.types';
import { assessUrgency } from './urgency/urgency.policy';

/**
 * Turns one accepted alert change into the analysis the rest of Convene acts on: urgency,
 * attendees, and the three agents' output, all against the live authorities configuration.
 */
@Injectable()
export class AlertAnalysisService {
  constructor(
    private readonly authorities: AuthoritiesConfigService,
    private readonly agents: AnalysisAgentsService,
  ) {}

  async analyze(received: AlertReceivedV1, now: () => Date = () => new Date()): Promise<AlertAnalyzedV1> {
    const config = this.authorities.current();
    const input = decide(received, config);
    const outcome = await this.agents.run(input, config);
    return assemble(received, input, config, outcome, now());
  }

  /**
   * A resolution of an alert analysed before: the earlier analysis travels on, marked resolved,
   * so scheduling can cancel the meeting without the agents being asked again.
   */
  passResolved(previous: AlertAnalyzedV1, received: AlertReceivedV1, now: Date = new Date()): AlertAnalyzedV1 {
    return {
      ...previous,
      alert: received.alert,
      change: 'resolved',
      revision: received.revision,
      received_at: received.received_at,
      analyzed_at: now.toISOString(),
    };
  }

  /** A resolution of an alert never analysed: rules and templates only, no model call. */
  resolvedWithoutHistory(received: AlertReceivedV1, now: Date = new Date()): AlertAnalyzedV1 {
    const config = this.authorities.current();
    const input = decide(received, config);
    return assemble(received, input, config, this.agents.templatesOnly(input, config, 'resolved'), now);
  }
}

function decide(received: AlertReceivedV1, config: AuthoritiesConfig): TemplateInput {
  const { alert } = received;
  const resolved = resolveAlertType(config, alert.alert_type);
  return {
    alert,
    resolved,
    urgency: assessUrgency(alert, resolved.route.severity_weight, config.urgency),
    attendees: selectAttendees(config, alert, resolved),
  };
}

function assemble(
  received: AlertReceivedV1,
  input: TemplateInput,
  config: AuthoritiesConfig,
  outcome: AgentsOutcome,
  analyzedAt: Date,
): AlertAnalyzedV1 {
  const level = config.urgency.levels[input.urgency.level];
  return {
    alert: received.alert,
    change: received.change,
    revision: received.revision,
    received_at: received.received_at,
    analyzed_at: analyzedAt.toISOString(),
    known_type: input.resolved.known,
    urgency: input.urgency,
    books_meeting: level.books_meeting,
    notification_channels: [...level.notification_channels],
    attendees: input.attendees,
    root_cause: outcome.root_cause,
    compliance: outcome.compliance,
    meeting_context: outcome.meeting_context,
    agents: outcome.agents,
  };
}
