import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import {
  COMPLIANCE_SCHEMA,
  MEETING_CONTEXT_SCHEMA,
  ROOT_CAUSE_SCHEMA,
  SCHEMA_NAMES,
} from '../apps/analysis/src/agents/agent.schemas';
import { systemPrompt, userPrompt } from '../apps/analysis/src/agents/agent.prompts';
import { AnalysisAgentsService } from '../apps/analysis/src/agents/analysis-agents.service';
import type { TemplateInput } from '../apps/analysis/src/agents/analysis-templates.policy';
import { redactAlert } from '../apps/analysis/src/agents/redaction.policy';
import { StructuredCompletionClient } from '../apps/analysis/src/agents/structured-completion.client';
import { resolveAlertType, selectAttendees } from '../apps/analysis/src/authorities/attendee.policy';
import { anAlert, shippedAuthorities } from '../apps/analysis/src/testing/analysis.fixtures';
import { startFakeOpenAi } from '../apps/analysis/src/testing/openai-compatible.server';
import { assessUrgency } from '../apps/analysis/src/urgency/urgency.policy';
import type { AgentName } from '#libs/contracts';
import { ms, recordResult } from './support/results';
import { median } from './support/stats';

/*
 * Item 5: the three AI agents against the local OpenAI-compatible server (the analysis tests'
 * server) answering every call after BENCH_AI_LATENCY_MS (default 300). The product runs them
 * concurrently; the reference is the same three calls one after another, and the slowest single
 * call is the floor. Medians of BENCH_AI_ROUNDS (default 10) rounds.
 */
const LATENCY_MS = Number(process.env.BENCH_AI_LATENCY_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_AI_ROUNDS ?? 10);
const MODEL = 'bench-model';
const AGENTS: { agent: AgentName; schema: Readonly<Record<string, unknown>> }[] = [
  { agent: 'root_cause', schema: ROOT_CAUSE_SCHEMA },
  { agent: 'compliance', schema: COMPLIANCE_SCHEMA },
  { agent: 'meeting_context', schema: MEETING_CONTEXT_SCHEMA },
];

const REPLIES: Record<string, unknown> = {
  [SCHEMA_NAMES.root_cause]: {
    summary: 'Credential stuffing against auth-service using a leaked password list.',
    five_whys: ['w1', 'w2', 'w3', 'w4', 'w5'],
    recommendations: ['Block the source range', 'Force password resets', 'Enable MFA'],
  },
  [SCHEMA_NAMES.compliance]: {
    overall_status: 'violation_detected',
    risk_level: 'critical',
    frameworks: [
      { framework: 'SOC2', status: 'violation_detected', findings: ['CC6.1 bypassed'], violations: ['SOC2 CC6.1'] },
      { framework: 'GDPR', status: 'at_risk', findings: ['personal data may be exposed'], violations: [] },
    ],
  },
  [SCHEMA_NAMES.meeting_context]: {
    title: 'URGENT: Credential stuffing on auth-service',
    why_scheduled: 'Unauthorised access attempts on production need containment within the hour.',
    discussion_points: ['p1', 'p2', 'p3', 'p4', 'p5'],
    pre_meeting_summary: 'Two-minute brief.',
  },
};

function templateInput(): TemplateInput {
  const config = shippedAuthorities();
  const alert = anAlert({ compliance_frameworks: ['SOC2', 'GDPR'] });
  const resolved = resolveAlertType(config, alert.alert_type);
  return {
    alert,
    resolved,
    urgency: assessUrgency(alert, resolved.route.severity_weight, config.urgency),
    attendees: selectAttendees(config, alert, resolved),
  };
}

/** The three calls one after another; returns the total and each call's own time. */
async function sequential(client: StructuredCompletionClient, input: TemplateInput): Promise<number[]> {
  const user = userPrompt({ ...input, alert: redactAlert(input.alert, { redactIpAddresses: true }) });
  const times: number[] = [];
  for (const { agent, schema } of AGENTS) {
    const started = performance.now();
    await client.complete({
      schemaName: SCHEMA_NAMES[agent],
      schema,
      system: systemPrompt(agent),
      user,
      signal: AbortSignal.timeout(20_000),
      timeoutMs: 20_000,
    });
    times.push(performance.now() - started);
  }
  return times;
}

it(`measures the three agents concurrently against sequentially at ${LATENCY_MS} ms per call`, async () => {
  Logger.overrideLogger(['error']);
  const server = await startFakeOpenAi({
    latencyMs: LATENCY_MS,
    model: MODEL,
    behaviour: (schemaName) => ({ kind: 'reply', content: REPLIES[schemaName] }),
  });
  const settings = { apiKey: 'sk-bench-local-server', baseURL: server.baseURL, model: MODEL };
  const config = shippedAuthorities();
  const input = templateInput();
  const agents = new AnalysisAgentsService(settings);
  const client = new StructuredCompletionClient({ ...settings, maxRetries: 0, temperature: 0.2 });
  const concurrent: number[] = [];
  const serial: number[] = [];
  const slowest: number[] = [];
  let sources: string[] = [];
  try {
    await agents.run(input, config);
    await sequential(client, input);
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = performance.now();
      const outcome = await agents.run(input, config);
      concurrent.push(performance.now() - started);
      sources = outcome.agents.map((run) => run.source);
      const calls = await sequential(client, input);
      serial.push(calls.reduce((sum, time) => sum + time, 0));
      slowest.push(Math.max(...calls));
    }
  } finally {
    await server.close();
  }

  const [wall, oneByOne, floor] = [median(concurrent), median(serial), median(slowest)];
  const allModel = sources.every((source) => source === 'llm');
  const pass = allModel && wall <= floor * 1.1;
  recordResult({
    bench: 'ai-agents',
    summary: `three agents concurrently ${ms(wall)} vs sequentially ${ms(oneByOne)}; slowest call ${ms(floor)}, goal ≤ ${ms(floor * 1.1)}: ${pass ? 'pass' : 'MISSED'}`,
    rows: [
      { item: 5, measure: `slowest single call (server latency ${LATENCY_MS} ms)`, value: ms(floor) },
      { item: 5, measure: 'three agents one after another', value: ms(oneByOne) },
      {
        item: 5,
        measure: `three agents as Convene runs them (concurrently)${allModel ? '' : ', SOME FELL BACK TO TEMPLATES'}`,
        value: ms(wall),
        goal: `≤ slowest + 10 % (${ms(floor * 1.1)})`,
        pass,
      },
    ],
  });
  expect(sources).toEqual(['llm', 'llm', 'llm']);
});
