import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type AlertReceivedV1, EVENT_CATALOGUE, payloadProblems } from '#libs/contracts';
import {
  type ConveneEvent,
  decodeEvent,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  Outbox,
  PermanentError,
  TransactionalOutbox,
} from '#libs/messaging';
import type { DataSource } from 'typeorm';
import { openTestServiceDatabase } from '../../../test/support/database';
import { AnalysisAgentsService } from './agents/analysis-agents.service';
import { AlertAnalysisService } from './alert-analysis.service';
import { ANALYSIS_ENTITIES } from './analysis.module';
import { AnalyzeAlertWhenReceived } from './analyze-alert-when-received.handler';
import { AuthoritiesConfigService } from './authorities/authorities-config.service';
import { ANALYSIS_MIGRATIONS } from './migrations';
import { aReceivedAlert, AUTHORITIES_FILE } from './testing/analysis.fixtures';
import { type FakeOpenAiServer, startFakeOpenAi } from './testing/openai-compatible.server';

interface AnalysisRow {
  alert_id: string;
  revision: number;
  change: string;
  known_type: boolean;
  urgency_level: string;
  urgency_score: string;
  books_meeting: boolean;
}

function received(data: AlertReceivedV1): ConveneEvent<'alert.received'> {
  return {
    id: randomUUID(),
    topic: 'alert.received',
    type: EVENT_CATALOGUE['alert.received'].type,
    source: '/convene/gateway',
    time: new Date().toISOString(),
    subject: data.alert.alert_id,
    traceparent: null,
    tracestate: null,
    data,
  };
}

describe('AnalyzeAlertWhenReceived on PostgreSQL', () => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let authorities: AuthoritiesConfigService;
  let handler: AnalyzeAlertWhenReceived;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    database = await openTestServiceDatabase({
      service: 'analysis',
      entities: [...MESSAGING_ENTITIES, ...ANALYSIS_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, ...ANALYSIS_MIGRATIONS],
    });
    authorities = AuthoritiesConfigService.open(AUTHORITIES_FILE, { watchSignals: false });
    handler = handlerWith(new AnalysisAgentsService({ model: 'unused' }), new TransactionalOutbox('analysis'));
  });

  afterAll(async () => {
    await database?.close();
    jest.restoreAllMocks();
  });

  function handlerWith(agents: AnalysisAgentsService, outbox: Outbox): AnalyzeAlertWhenReceived {
    return new AnalyzeAlertWhenReceived(new AlertAnalysisService(authorities, agents), outbox);
  }

  const deliver = (event: ConveneEvent<'alert.received'>, using = handler) =>
    database.dataSource.transaction((tx) => using.handle(event, tx));

  const analyses = (alertId: string): Promise<AnalysisRow[]> =>
    database.dataSource.query(
      `SELECT alert_id, revision, change, known_type, urgency_level, urgency_score, books_meeting
         FROM analyses WHERE alert_id = $1 ORDER BY revision`,
      [alertId],
    );
  const llmCalls = (
    alertId: string,
  ): Promise<{ agent: string; source: string; fallback_reason: string | null; model: string | null }[]> =>
    database.dataSource.query(
      'SELECT agent, source, fallback_reason, model FROM llm_calls WHERE alert_id = $1 ORDER BY agent',
      [alertId],
    );
  const published = async (alertId: string) => {
    const rows: { topic: string; key: string; headers: Record<string, string>; value: string }[] =
      await database.dataSource.query(
        'SELECT topic, key, headers, value FROM outbox WHERE key = $1 ORDER BY position',
        [alertId],
      );
    return rows.map((row) => decodeEvent(row) as ConveneEvent<'alert.analyzed'>);
  };

  it('records the analysis and its agent runs and publishes alert.analyzed in one transaction', async () => {
    await deliver(received(aReceivedAlert({ alert_id: 'SEC-INT-1' })));

    expect(await analyses('SEC-INT-1')).toEqual([
      {
        alert_id: 'SEC-INT-1',
        revision: 1,
        change: 'new',
        known_type: true,
        urgency_level: 'CRITICAL',
        urgency_score: '1.00',
        books_meeting: true,
      },
    ]);
    expect(await llmCalls('SEC-INT-1')).toEqual([
      { agent: 'compliance', source: 'template', fallback_reason: 'no_api_key', model: null },
      { agent: 'meeting_context', source: 'template', fallback_reason: 'no_api_key', model: null },
      { agent: 'root_cause', source: 'template', fallback_reason: 'no_api_key', model: null },
    ]);
    const [event] = await published('SEC-INT-1');
    expect(event?.topic).toBe('alert.analyzed');
    expect(payloadProblems('alert.analyzed', event?.data)).toEqual([]);
    expect(event?.data.attendees.map((attendee) => attendee.role)).toEqual([
      'Security Team',
      'CISO',
      'Legal Team',
      'Incident Response Team',
      'Management',
      'Executive Sponsor',
    ]);
    expect(event?.data.notification_channels).toEqual(['email', 'slack', 'chainsync']);
  });

  it('ignores a redelivered or older revision of an alert it has analysed', async () => {
    await deliver(received(aReceivedAlert({ alert_id: 'SEC-INT-2' }, 2)));

    await deliver(received(aReceivedAlert({ alert_id: 'SEC-INT-2' }, 2)));
    await deliver(received(aReceivedAlert({ alert_id: 'SEC-INT-2', severity: 'low' }, 1)));

    expect((await analyses('SEC-INT-2')).map((row) => row.revision)).toEqual([2]);
    expect(await published('SEC-INT-2')).toHaveLength(1);
  });

  it('analyses an escalation again and passes a resolution through without new agent runs', async () => {
    await deliver(
      received(aReceivedAlert({ alert_id: 'CMP-INT-3', alert_type: 'compliance_violation', severity: 'medium' }, 1)),
    );
    await deliver(
      received(aReceivedAlert({ alert_id: 'CMP-INT-3', alert_type: 'compliance_violation', severity: 'high' }, 2)),
    );
    await deliver(
      received(
        aReceivedAlert(
          { alert_id: 'CMP-INT-3', alert_type: 'compliance_violation', severity: 'high', status: 'resolved' },
          3,
        ),
      ),
    );

    expect(
      (await analyses('CMP-INT-3')).map((row) => [row.revision, row.change, row.urgency_level, row.urgency_score]),
    ).toEqual([
      [1, 'new', 'MEDIUM', '0.45'],
      [2, 'escalated', 'HIGH', '0.72'],
      [3, 'resolved', 'HIGH', '0.72'],
    ]);
    expect(await llmCalls('CMP-INT-3')).toHaveLength(6);
    const events = await published('CMP-INT-3');
    expect(events.map((event) => event.data.change)).toEqual(['new', 'escalated', 'resolved']);
    expect(events[2]?.data.meeting_context).toEqual(events[1]?.data.meeting_context);
    expect(events[2]?.data.alert.status).toBe('resolved');
  });

  it('publishes an unknown alert type on the default route, flagged known_type=false', async () => {
    await deliver(received(aReceivedAlert({ alert_id: 'UNK-INT-4', alert_type: 'solar_flare', severity: 'high' })));

    const [event] = await published('UNK-INT-4');
    expect(event?.data.known_type).toBe(false);
    expect(event?.data.urgency).toMatchObject({ score: 0.4, level: 'MEDIUM' });
    expect(event?.data.attendees.map((attendee) => `${attendee.role}:${attendee.invited_by}`)).toEqual([
      'On-Call Engineer:default_route',
      'Incident Manager:default_route',
      'Management:high_severity',
    ]);
  });

  it('writes nothing when the outbox fails, because the analysis shares its transaction', async () => {
    class FailingOutbox extends Outbox {
      add(): Promise<never> {
        return Promise.reject(new Error('outbox unavailable'));
      }
      encode(): never {
        throw new Error('outbox unavailable');
      }
      added(): void {}
    }
    const failing = handlerWith(new AnalysisAgentsService({ model: 'unused' }), new FailingOutbox());

    await expect(deliver(received(aReceivedAlert({ alert_id: 'SEC-INT-5' })), failing)).rejects.toThrow(
      'outbox unavailable',
    );

    expect(await analyses('SEC-INT-5')).toEqual([]);
    expect(await llmCalls('SEC-INT-5')).toEqual([]);
  });

  it('rejects a payload that can never be analysed as a permanent failure', async () => {
    const broken = aReceivedAlert({ alert_id: 'BAD-INT-6' });
    (broken.alert as { severity: string }).severity = 'catastrophic';

    await expect(deliver(received(broken))).rejects.toBeInstanceOf(PermanentError);
  });

  describe('with an OpenAI-compatible server', () => {
    let server: FakeOpenAiServer;

    afterAll(async () => {
      await server?.close();
    });

    it('records each agent call with its model and tokens', async () => {
      server = await startFakeOpenAi({
        model: 'local-model',
        behaviour: (name) =>
          name === 'root_cause_analysis'
            ? {
                kind: 'reply',
                content: {
                  summary: 'Disk filled by logs',
                  five_whys: ['1', '2', '3', '4', '5'],
                  recommendations: ['a', 'b', 'c'],
                },
              }
            : { kind: 'status', status: 400 },
      });
      const withModel = handlerWith(
        new AnalysisAgentsService({
          apiKey: 'sk-local-test-key-000000',
          baseURL: server.baseURL,
          model: 'local-model',
        }),
        new TransactionalOutbox('analysis'),
      );

      await deliver(received(aReceivedAlert({ alert_id: 'SYS-INT-7', alert_type: 'system_failure' })), withModel);

      expect(await llmCalls('SYS-INT-7')).toEqual([
        { agent: 'compliance', source: 'template', fallback_reason: 'error', model: 'local-model' },
        { agent: 'meeting_context', source: 'template', fallback_reason: 'error', model: 'local-model' },
        { agent: 'root_cause', source: 'llm', fallback_reason: null, model: 'local-model' },
      ]);
      const tokens: { input_tokens: number; output_tokens: number }[] = await database.dataSource.query(
        "SELECT input_tokens, output_tokens FROM llm_calls WHERE alert_id = 'SYS-INT-7' AND agent = 'root_cause'",
      );
      expect(tokens[0]?.input_tokens).toBeGreaterThan(0);
      expect(tokens[0]?.output_tokens).toBeGreaterThan(0);
      const [event] = await published('SYS-INT-7');
      expect(event?.data.root_cause.summary).toBe('Disk filled by logs');
    });
  });
});
