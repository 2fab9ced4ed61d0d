import { Logger } from '@nestjs/common';
import Ajv, { type ValidateFunction } from 'ajv';
import type { AgentName, AgentRun, ComplianceAssessment, MeetingContext, RootCause } from '#libs/contracts';
import type { AuthoritiesConfig } from '../authorities/authorities.types';
import {
  COMPLIANCE_SCHEMA,
  type ComplianceReply,
  MEETING_CONTEXT_SCHEMA,
  type MeetingContextReply,
  ROOT_CAUSE_SCHEMA,
  type RootCauseReply,
  SCHEMA_NAMES,
} from './agent.schemas';
import { type PromptFacts, systemPrompt, userPrompt } from './agent.prompts';
import {
  regulatoryDeadlines,
  type TemplateInput,
  templateCompliance,
  templateMeetingContext,
  templateRootCause,
} from './analysis-templates.policy';
import { inSpan } from '#libs/telemetry';
import { describeLlmCall, recordAgentRun } from './agent.telemetry';
import { redactAlert } from './redaction.policy';
import { isTimeoutOrAbort, StructuredCompletionClient } from './structured-completion.client';

/** Why an agent's output came from the template instead of the model. */
export type FallbackReason = 'no_api_key' | 'timeout' | 'error' | 'refusal' | 'invalid_output' | 'resolved';

export interface LlmSettings {
  apiKey?: string;
  baseURL?: string;
  model: string;
}

export interface AgentsOutcome {
  root_cause: RootCause;
  compliance: ComplianceAssessment;
  meeting_context: MeetingContext;
  /** One run per agent: root cause, compliance, meeting context. */
  agents: AgentRun[];
}

interface AgentSpec<T> {
  agent: AgentName;
  schema: Readonly<Record<string, unknown>>;
  validate: ValidateFunction<T>;
  /** Rules beyond the schema; returns the accepted value or null to reject the reply. */
  accept: (reply: T) => T | null;
  template: () => T;
}

interface AgentResult<T> {
  value: T;
  run: AgentRun;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validateRootCause = ajv.compile<RootCauseReply>(ROOT_CAUSE_SCHEMA);
const validateCompliance = ajv.compile<ComplianceReply>(COMPLIANCE_SCHEMA);
const validateMeetingContext = ajv.compile<MeetingContextReply>(MEETING_CONTEXT_SCHEMA);

/**
 * The three AI agents (root cause, compliance, meeting context), run concurrently under one time
 * budget. Any agent that has no key, times out, errors, is refused or answers outside its schema
 * falls back to the deterministic template, so the analysis always completes.
 */
export class AnalysisAgentsService {
  private readonly logger = new Logger(AnalysisAgentsService.name);

  constructor(private readonly settings: LlmSettings) {}

  async run(input: TemplateInput, config: AuthoritiesConfig): Promise<AgentsOutcome> {
    const specs = this.specs(input);
    const apiKey = this.settings.apiKey;
    const [rootCause, compliance, meetingContext] = apiKey
      ? await this.callModels(specs, input, config, apiKey)
      : [
          templated(specs.rootCause, 'no_api_key', null),
          templated(specs.compliance, 'no_api_key', null),
          templated(specs.meetingContext, 'no_api_key', null),
        ];
    for (const result of [rootCause, compliance, meetingContext]) recordAgentRun(result.run, Boolean(apiKey));

    return {
      root_cause: rootCause.value,
      compliance: withDeadlines(compliance.value, input, config),
      meeting_context: meetingContext.value,
      agents: [rootCause.run, compliance.run, meetingContext.run],
    };
  }

  /** Template output for every agent, marked with `reason` (used when a resolved alert has no earlier analysis). */
  templatesOnly(input: TemplateInput, config: AuthoritiesConfig, reason: FallbackReason): AgentsOutcome {
    const specs = this.specs(input);
    const runs = [
      templated(specs.rootCause, reason, null),
      templated(specs.compliance, reason, null),
      templated(specs.meetingContext, reason, null),
    ] as const;
    return {
      root_cause: runs[0].value,
      compliance: withDeadlines(runs[1].value, input, config),
      meeting_context: runs[2].value,
      agents: runs.map((result) => result.run),
    };
  }

  private async callModels(
    specs: ReturnType<AnalysisAgentsService['specs']>,
    input: TemplateInput,
    config: AuthoritiesConfig,
    apiKey: string,
  ): Promise<[AgentResult<RootCauseReply>, AgentResult<ComplianceReply>, AgentResult<MeetingContextReply>]> {
    const { llm, redaction } = config.analysis;
    const client = new StructuredCompletionClient({
      apiKey,
      baseURL: this.settings.baseURL,
      model: this.settings.model,
      maxRetries: llm.max_retries,
      temperature: llm.temperature,
    });
    const facts: PromptFacts = {
      alert: redactAlert(input.alert, { redactIpAddresses: redaction.redact_ip_addresses }),
      resolved: input.resolved,
      urgency: input.urgency,
      attendees: input.attendees,
    };
    const deadline = AbortSignal.timeout(llm.timeout_ms);
    const call = <T>(spec: AgentSpec<T>): Promise<AgentResult<T>> =>
      inSpan(
        `chat ${client.settings.model}`,
        {
          'gen_ai.system': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': client.settings.model,
          'convene.agent': spec.agent,
          'alert.id': input.alert.alert_id,
        },
        async (span) => {
          const result = await this.callModel(spec, client, facts, deadline, llm.timeout_ms, input.alert.alert_id);
          describeLlmCall(span, result.run);
          return result;
        },
      );

    return Promise.all([call(specs.rootCause), call(specs.compliance), call(specs.meetingContext)]);
  }

  private async callModel<T>(
    spec: AgentSpec<T>,
    client: StructuredCompletionClient,
    facts: PromptFacts,
    deadline: AbortSignal,
    timeoutMs: number,
    alertId: string,
  ): Promise<AgentResult<T>> {
    const started = performance.now();
    const model = client.settings.model;
    const elapsed = (): number => Math.round(performance.now() - started);
    const fallBack = (reason: FallbackReason, tokens = { input: 0, output: 0 }, replyModel = model): AgentResult<T> => {
      this.logger.warn({ msg: 'agent fell back to template', agent: spec.agent, reason, alert_id: alertId });
      return templated(spec, reason, { model: replyModel, tokens, latency_ms: elapsed() });
    };

    try {
      const reply = await client.complete({
        schemaName: SCHEMA_NAMES[spec.agent],
        schema: spec.schema,
        system: systemPrompt(spec.agent),
        user: userPrompt(facts),
        signal: deadline,
        timeoutMs,
      });
      const tokens = { input: reply.input_tokens, output: reply.output_tokens };
      if (reply.content === null || reply.refusal)
        return fallBack(reply.refusal ? 'refusal' : 'invalid_output', tokens, reply.model);

      const value = parseReply(spec, reply.content);
      if (value === null) return fallBack('invalid_output', tokens, reply.model);
      return {
        value,
        run: {
          agent: spec.agent,
          source: 'llm',
          model: reply.model,
          input_tokens: tokens.input,
          output_tokens: tokens.output,
          latency_ms: elapsed(),
          fallback_reason: null,
        },
      };
    } catch (error) {
      return fallBack(isTimeout(error, deadline) ? 'timeout' : 'error');
    }
  }

  private specs(input: TemplateInput) {
    const requested = input.alert.compliance_frameworks;
    return {
      rootCause: {
        agent: 'root_cause',
        schema: ROOT_CAUSE_SCHEMA,
        validate: validateRootCause,
        accept: (reply) => reply,
        template: () => templateRootCause(input),
      } satisfies AgentSpec<RootCauseReply>,
      compliance: {
        agent: 'compliance',
        schema: COMPLIANCE_SCHEMA,
        validate: validateCompliance,
        accept: (reply) => coverRequestedFrameworks(reply, requested),
        template: () => templateCompliance(input),
      } satisfies AgentSpec<ComplianceReply>,
      meetingContext: {
        agent: 'meeting_context',
        schema: MEETING_CONTEXT_SCHEMA,
        validate: validateMeetingContext,
        accept: (reply) => reply,
        template: () => templateMeetingContext(input),
      } satisfies AgentSpec<MeetingContextReply>,
    };
  }
}

function templated<T>(
  spec: AgentSpec<T>,
  reason: FallbackReason,
  attempt: { model: string; tokens: { input: number; output: number }; latency_ms: number } | null,
): AgentResult<T> {
  return {
    value: spec.template(),
    run: {
      agent: spec.agent,
      source: 'template',
      model: attempt?.model ?? null,
      input_tokens: attempt?.tokens.input ?? 0,
      output_tokens: attempt?.tokens.output ?? 0,
      latency_ms: attempt?.latency_ms ?? 0,
      fallback_reason: reason,
    },
  };
}

function parseReply<T>(spec: AgentSpec<T>, content: string): T | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return null;
  }
  return spec.validate(parsed) ? spec.accept(parsed) : null;
}

/** Keeps one assessment per requested framework; a reply missing any of them is rejected. */
function coverRequestedFrameworks(reply: ComplianceReply, requested: string[]): ComplianceReply | null {
  const byName = new Map(reply.frameworks.map((assessment) => [assessment.framework.toUpperCase(), assessment]));
  const covered = requested.map((framework) => byName.get(framework.toUpperCase()));
  if (covered.some((assessment) => assessment === undefined)) return null;
  return {
    ...reply,
    frameworks: covered.flatMap((assessment, index) =>
      assessment ? [{ ...assessment, framework: requested[index] ?? assessment.framework }] : [],
    ),
  };
}

function withDeadlines(
  compliance: Omit<ComplianceAssessment, 'regulatory_deadlines'>,
  input: TemplateInput,
  config: AuthoritiesConfig,
): ComplianceAssessment {
  return {
    ...compliance,
    regulatory_deadlines: regulatoryDeadlines(
      compliance.frameworks,
      input.alert.detected_at,
      config.analysis.regulatory_clocks,
    ),
  };
}

function isTimeout(error: unknown, deadline: AbortSignal): boolean {
  return deadline.aborted || isTimeoutOrAbort(error);
}
