import type { INestApplication } from '@nestjs/common';
import { loadEnv } from '#libs/config';
import { encodeEvent, InProcessBus } from '#libs/messaging';
import { startHttpService } from '#libs/runtime';
import { AuditModule } from '../../apps/audit/src/audit.module';
import { alertAnalyzed, alertReceived, anAlert } from '../../apps/audit/src/testing/audit-events.factory';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { gatewayDatabase, get, type RunningGateway, startGateway } from './support/gateway-harness';

jest.setTimeout(60_000);

interface StatusJson {
  pipeline: { available: boolean; error?: string; stages?: Record<string, { window: number; total: number }> };
  services: Record<string, { dead_letters: unknown; last_error: unknown; consumer_lag?: unknown }>;
}

/** The gateway in distributed mode: /status asks a separately hosted audit service over HTTP at AUDIT_URL. */
describe('GET /status over the audit HTTP API', () => {
  let auditDatabase: TestDatabase;
  let gatewayDb: Awaited<ReturnType<typeof gatewayDatabase>>;
  let auditBus: InProcessBus;
  let audit: INestApplication | undefined;
  let gateway: RunningGateway;

  beforeAll(async () => {
    auditDatabase = await createTestDatabase('status_audit');
    gatewayDb = await gatewayDatabase();
    auditBus = new InProcessBus();
    const env = loadEnv({ LOG_LEVEL: 'silent' });
    audit = await startHttpService(
      AuditModule.register({ env, databaseUrl: auditDatabase.url, version: 'test', bus: auditBus }, { http: true }),
      { env, service: 'audit', port: 0, host: '127.0.0.1', shutdownHooks: false },
    );
    auditBus.open();
    const auditUrl = (await audit.getUrl()).replace('[::1]', '127.0.0.1');
    gateway = await startGateway(gatewayDb.database.url, { AUDIT_URL: auditUrl });
  });

  afterAll(async () => {
    await gateway?.close();
    await audit?.close();
    await auditBus?.close();
    await gatewayDb?.close();
    await auditDatabase?.drop();
  });

  it('answers the stage counts the audit service holds', async () => {
    const alert = anAlert();
    await auditBus.publish([encodeEvent(alertReceived(alert)), encodeEvent(alertAnalyzed(alert))]);

    const answer = await get(gateway, '/status?window_hours=1');
    const json = answer.json as unknown as StatusJson;

    expect(answer.status).toBe(200);
    expect(json.pipeline.available).toBe(true);
    expect(json.pipeline.stages?.received).toEqual({ window: 1, total: 1 });
    expect(json.pipeline.stages?.analyzed).toEqual({ window: 1, total: 1 });
    expect(json.pipeline.stages?.scheduled).toEqual({ window: 0, total: 0 });
    expect(json.services.scheduling.dead_letters).toEqual({ window: 0, total: 0 });
  });

  it('still answers 200 with the lag when the audit service is down, marking the pipeline unavailable', async () => {
    await audit?.close();
    audit = undefined;

    const answer = await get(gateway, '/status');
    const json = answer.json as unknown as StatusJson;

    expect(answer.status).toBe(200);
    expect(json.pipeline).toEqual({ available: false, error: 'AUDIT.UNAVAILABLE' });
    expect(json.services.analysis.dead_letters).toBeNull();
    expect(json.services.analysis.last_error).toBeNull();
    expect(json.services.analysis.consumer_lag).toEqual({ total: 0, by_topic: { 'alert.received': 0 } });
  });
});
