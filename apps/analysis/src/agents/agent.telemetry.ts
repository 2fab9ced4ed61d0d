import type { Span } from '@opentelemetry/api';
import type { AgentRun } from '#libs/contracts';
import { counter, histogram } from '#libs/telemetry';

const LLM_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

function llmDuration() {
  return histogram({
    name: 'convene_llm_request_duration_seconds',
    help: 'Time an agent waited for the model, by agent and whose output was used (llm or template after a failed call).',
    labelNames: ['agent', 'source'] as const,
    buckets: LLM_BUCKETS,
  });
}

function agentFallbacks() {
  return counter({
    name: 'convene_agent_fallbacks_total',
    help: 'Agent outputs written by the template instead of the model, by agent and reason.',
    labelNames: ['agent', 'reason'] as const,
  });
}

/** Counts one agent run: latency when the model was asked, a fallback when the template answered. */
export function recordAgentRun(run: AgentRun, modelAsked: boolean): void {
  if (modelAsked) llmDuration().observe({ agent: run.agent, source: run.source }, run.latency_ms / 1000);
  if (run.source === 'template') agentFallbacks().inc({ agent: run.agent, reason: run.fallback_reason ?? 'unknown' });
}

/** The GenAI semantic-convention attributes of one model call, set once its outcome is known. */
export function describeLlmCall(span: Span, run: AgentRun): void {
  span.setAttributes({
    'gen_ai.usage.input_tokens': run.input_tokens,
    'gen_ai.usage.output_tokens': run.output_tokens,
    'convene.agent.source': run.source,
    ...(run.model ? { 'gen_ai.response.model': run.model } : {}),
    ...(run.fallback_reason ? { 'convene.agent.fallback_reason': run.fallback_reason } : {}),
  });
}
