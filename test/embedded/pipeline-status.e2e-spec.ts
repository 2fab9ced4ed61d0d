import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';
import { eventually } from '../support/eventually';
import { alertFactory, postAlert } from '../support/webhook';

interface StageCount {
  window: number;
  total: number;
}

interface StatusJson {
  window_hours: number;
  alerts: { total: number };
  pipeline: { available: boolean; stages: Record<string, StageCount> };
  services: Record<
    string,
    {
      consumer_lag?: { total: number | null; by_topic: Record<string, number> };
      dead_letters: StageCount | null;
      last_error: { at: string; code: string; message: string; source: string; topic: string; alert_id: string } | null;
    }
  >;
}

const credentials = { apiKey: 'e2e-status-key', secret: 'e2e-status-secret' };
const SLACK_TOKEN_PATH = '/services/T0STATUS/B0STATUS/slack-path-token-4711';

/** A Slack webhook that refuses every post, as Slack does for a revoked webhook. */
function refusingSlack(): Server {
  return createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end('invalid_token');
    });
  });
}

describe('GET /status follows an alert through the stages (embedded mode)', () => {
  let convene: EmbeddedConvene;
  let baseUrl: string;
  let slack: Server;

  async function status(query = ''): Promise<{ httpStatus: number; text: string; json: StatusJson }> {
    const response = await fetch(`${baseUrl}/status${query}`);
    const text = await response.text();
    return { httpStatus: response.status, text, json: JSON.parse(text) as StatusJson };
  }

  beforeAll(async () => {
    slack = refusingSlack();
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    convene = await startEmbeddedConvene('status', credentials, {
      SLACK_WEBHOOK_URL: `http://127.0.0.1:${(slack.address() as AddressInfo).port}${SLACK_TOKEN_PATH}`,
    });
    baseUrl = convene.baseUrl;
  }, 90_000);

  afterAll(async () => {
    await convene?.destroy();
    await new Promise((resolve) => slack?.close(resolve));
  });

  it('starts with every stage at zero, no errors, and a known lag for every consuming service', async () => {
    const { httpStatus, json } = await status();

    expect(httpStatus).toBe(200);
    expect(json.window_hours).toBe(24);
    expect(json.pipeline.available).toBe(true);
    for (const stage of ['received', 'analyzed', 'scheduled', 'notified', 'cancelled', 'dead_lettered']) {
      expect(json.pipeline.stages[stage]).toEqual({ window: 0, total: 0 });
    }
    expect(json.services.analysis.consumer_lag).toEqual({ total: 0, by_topic: { 'alert.received': 0 } });
    expect(json.services.scheduling.consumer_lag).toEqual({ total: 0, by_topic: { 'alert.analyzed': 0 } });
    expect(json.services.notification.consumer_lag?.total).toBe(0);
    expect(json.services.audit.consumer_lag?.total).toBe(0);
    for (const service of ['analysis', 'scheduling', 'notification', 'audit']) {
      expect(json.services[service].dead_letters).toEqual({ window: 0, total: 0 });
      expect(json.services[service].last_error).toBeNull();
    }
  });

  it('moves received, analyzed, scheduled and notified by one for a booked alert, and shows the Slack refusal as the last error', async () => {
    const alert = alertFactory();

    const response = await postAlert(baseUrl, alert, credentials, { prefer: 'wait=25' });
    expect(response.status).toBe(200);
    const settled = await eventually(async () => {
      const answer = await status();
      const notification = answer.json.services.notification;
      return answer.json.pipeline.stages.notified.total >= 1 && notification.last_error ? answer : undefined;
    }, 30_000);

    const stages = settled.json.pipeline.stages;
    expect(stages.received).toEqual({ window: 1, total: 1 });
    expect(stages.analyzed).toEqual({ window: 1, total: 1 });
    expect(stages.scheduled).toEqual({ window: 1, total: 1 });
    expect(stages.notified).toEqual({ window: 1, total: 1 });
    expect(stages.notification_failed).toEqual({ window: 1, total: 1 });
    expect(stages.cancelled).toEqual({ window: 0, total: 0 });
    expect(settled.json.alerts.total).toBe(1);
    expect(settled.json.services.notification.last_error).toMatchObject({
      code: 'HTTP.403',
      source: 'notification.failed',
      topic: 'notification.failed',
      alert_id: alert.alert_id,
    });
    expect(settled.text).not.toContain('slack-path-token-4711');
    expect(settled.json.services.analysis.last_error).toBeNull();
  });

  it('answers 400 problem+json for a window_hours that is not an integer from 1 to 2160', async () => {
    const response = await fetch(`${baseUrl}/status?window_hours=0`);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { code: string }).code).toBe('QUERY.INVALID');
  });

  it('documents the /status answer in the OpenAPI document', async () => {
    const docs = (await (await fetch(`${baseUrl}/docs/json`)).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };

    expect(docs.paths['/status'].get.responses['200'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/StatusResponseDto',
    });
    expect(Object.keys(docs.components.schemas.StatusResponseDto.properties ?? {})).toEqual(
      expect.arrayContaining(['pipeline', 'services', 'window_hours']),
    );
  });
});
