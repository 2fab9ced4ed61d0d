import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadEnv } from '#libs/config';
import type { ServiceRuntime } from '#libs/runtime';
import { AnalysisModule } from './analysis.module';
import { AnalyzeAlertWhenReceived } from './analyze-alert-when-received.handler';
import { AuthoritiesConfigService } from './authorities/authorities-config.service';
import { AUTHORITIES_FILE, authoritiesText } from './testing/analysis.fixtures';

function runtimeWith(authoritiesPath: string): ServiceRuntime {
  return {
    env: loadEnv({ AUTHORITIES_CONFIG: authoritiesPath }),
    databaseUrl: 'postgres://unused@127.0.0.1:1/none',
    version: 'test',
  };
}

describe('AnalysisModule.register', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'analysis-module-'));
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to build the service from an invalid authorities file, naming file, line and key', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, authoritiesText().replace("start: '09:00'", "start: '9am'"));

    expect(() => AnalysisModule.register(runtimeWith(path), { http: false })).toThrow(
      new RegExp(`${path}:\\d+: scheduling\\.business_hours\\.start must match pattern`),
    );
  });

  it('provides the live configuration and the alert.received handler from a valid file', () => {
    const module = AnalysisModule.register(runtimeWith(AUTHORITIES_FILE), { http: false });

    const providers = module.providers ?? [];
    const config = providers.find(
      (provider) =>
        typeof provider === 'object' && 'provide' in provider && provider.provide === AuthoritiesConfigService,
    ) as { useValue: AuthoritiesConfigService } | undefined;
    expect(config?.useValue.current().alert_types['security_incident']?.severity_weight).toBe(1);
    expect(providers).toContain(AnalyzeAlertWhenReceived);
    config?.useValue.onApplicationShutdown();
  });
});
