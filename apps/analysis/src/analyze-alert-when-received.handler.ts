import { Injectable, Logger } from '@nestjs/common';
import { type AlertAnalyzedV1, type AlertReceivedV1, SEVERITIES } from '#libs/contracts';
import { type ConveneEvent, type EventHandler, Outbox, PermanentError } from '#libs/messaging';
import { addSpanEvent } from '#libs/telemetry';
import type { EntityManager } from 'typeorm';
import { AlertAnalysisService } from './alert-analysis.service';
import { AnalysisEntity } from './persistence/analysis.entity';

/**
 * Analyses every accepted alert change and publishes `alert.analyzed`, keyed by alert id, in the
 * transaction that records the analysis. Revisions at or below the last analysed one are ignored.
 */
@Injectable()
export class AnalyzeAlertWhenReceived implements EventHandler<'alert.received'> {
  readonly topic = 'alert.received' as const;
  private readonly logger = new Logger(AnalyzeAlertWhenReceived.name);

  constructor(
    private readonly analysis: AlertAnalysisService,
    private readonly outbox: Outbox,
  ) {}

  async handle(event: ConveneEvent<'alert.received'>, tx: EntityManager): Promise<void> {
    const received = event.data;
    assertAnalysable(received);
    const { alert_id: alertId } = received.alert;

    const previous = await tx.getRepository(AnalysisEntity).findOne({
      where: { alert_id: alertId },
      order: { revision: 'DESC' },
    });
    if (previous && previous.revision >= received.revision) {
      this.logger.log({
        msg: 'stale alert revision ignored',
        alert_id: alertId,
        revision: received.revision,
        analysed: previous.revision,
      });
      return;
    }

    // TODO(#5): the agents run inside the consumer's transaction, holding a connection for up to the LLM budget;
    // analyse before opening it once the messaging layer offers a pre-transaction step.
    const { payload, fresh } = await this.analyse(received, previous);
    recordDecisions(payload);
    await this.persist(tx, payload, event.id, fresh);
    await this.outbox.add(tx, 'alert.analyzed', payload, { key: alertId });

    this.logger.log({
      msg: 'alert analysed',
      alert_id: alertId,
      revision: payload.revision,
      change: payload.change,
      urgency: payload.urgency.level,
      attendees: payload.attendees.length,
      sources: payload.agents.map((run) => `${run.agent}:${run.source}`),
    });
  }

  /** `fresh` is false when an earlier analysis is passed through and no agent ran. */
  private async analyse(
    received: AlertReceivedV1,
    previous: AnalysisEntity | null,
  ): Promise<{ payload: AlertAnalyzedV1; fresh: boolean }> {
    if (received.change !== 'resolved') return { payload: await this.analysis.analyze(received), fresh: true };
    if (previous) return { payload: this.analysis.passResolved(previous.payload, received), fresh: false };
    return { payload: this.analysis.resolvedWithoutHistory(received), fresh: true };
  }

  /**
   * The analysis row and its agents' runs in one statement. The payload is the whole event (a few
   * KB of JSON), which TypeORM's save() deep-merged into the entity at a visible CPU cost per alert
   * in the end-to-end profile; a resolution passed through from an earlier analysis ran no agent.
   */
  private async persist(tx: EntityManager, payload: AlertAnalyzedV1, eventId: string, fresh: boolean): Promise<void> {
    const runs = fresh
      ? payload.agents.map((run) => ({
          agent: run.agent,
          source: run.source,
          model: run.model,
          input_tokens: run.input_tokens,
          output_tokens: run.output_tokens,
          latency_ms: run.latency_ms,
          fallback_reason: run.fallback_reason,
        }))
      : [];
    await tx.query(
      `WITH analysis AS (
         INSERT INTO analyses (alert_id, revision, change, source_event_id, alert_type, severity, known_type,
                               urgency_level, urgency_score, books_meeting, payload, analyzed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING id
       )
       INSERT INTO llm_calls (analysis_id, alert_id, agent, source, model, input_tokens, output_tokens, latency_ms,
                              fallback_reason)
       SELECT analysis.id, $1, run.agent, run.source, run.model, run.input_tokens, run.output_tokens, run.latency_ms,
              run.fallback_reason
         FROM analysis,
              jsonb_to_recordset($13::jsonb) AS run(agent text, source text, model text, input_tokens integer,
                                                    output_tokens integer, latency_ms integer, fallback_reason text)`,
      [
        payload.alert.alert_id,
        payload.revision,
        payload.change,
        isUuid(eventId) ? eventId : null,
        payload.alert.alert_type,
        payload.alert.severity,
        payload.known_type,
        payload.urgency.level,
        payload.urgency.score,
        payload.books_meeting,
        JSON.stringify(payload),
        new Date(payload.analyzed_at),
        JSON.stringify(runs),
      ],
    );
  }
}

/** The decisions on the consumer's span, so the trace shows why this meeting and these people. */
function recordDecisions(payload: AlertAnalyzedV1): void {
  addSpanEvent('urgency assessed', {
    'urgency.level': payload.urgency.level,
    'urgency.score': payload.urgency.score,
    'urgency.response_window_minutes': payload.urgency.response_window_minutes,
    'meeting.books': payload.books_meeting,
  });
  addSpanEvent('attendees selected', {
    'attendees.count': payload.attendees.length,
    'attendees.roles': payload.attendees.map((attendee) => attendee.role),
  });
  addSpanEvent('agents finished', {
    'agents.sources': payload.agents.map((run) => `${run.agent}:${run.source}`),
  });
}

/** A payload that can never be analysed is permanent: retrying it would fail the same way. */
function assertAnalysable(received: AlertReceivedV1): void {
  const { alert } = received;
  const problems = [
    typeof alert?.alert_id === 'string' && alert.alert_id.length > 0 ? null : 'alert_id',
    typeof alert?.alert_type === 'string' ? null : 'alert_type',
    SEVERITIES.includes(alert?.severity) ? null : 'severity',
    Array.isArray(alert?.affected_systems) ? null : 'affected_systems',
    Array.isArray(alert?.compliance_frameworks) ? null : 'compliance_frameworks',
    typeof alert?.context === 'object' && alert.context !== null ? null : 'context',
    Number.isInteger(received.revision) ? null : 'revision',
  ].filter((field): field is string => field !== null);
  if (problems.length > 0) {
    throw new PermanentError(
      'ANALYSIS.ALERT_INVALID',
      `alert.received payload is missing or has invalid: ${problems.join(', ')}`,
    );
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
