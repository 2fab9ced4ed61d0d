import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { authoritiesText } from '../testing/analysis.fixtures';
import { AuthoritiesConfigError } from './authorities-config.exception';
import { AuthoritiesConfigService } from './authorities-config.service';

describe('AuthoritiesConfigService', () => {
  let dir: string;
  let path: string;
  let service: AuthoritiesConfigService | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authorities-'));
    path = join(dir, 'alert_authorities.yaml');
    await writeFile(path, authoritiesText());
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    service?.onApplicationShutdown();
    service = undefined;
    jest.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start on an invalid file, naming the key and line', async () => {
    await writeFile(path, authoritiesText().replace('severity_weight: 0.6', 'severity_weight: -1'));

    const opening = () => AuthoritiesConfigService.open(path, { watchSignals: false });

    expect(opening).toThrow(AuthoritiesConfigError);
    expect(opening).toThrow(/:\d+: alert_types\.data_quality_issue\.severity_weight must be >= 0/);
  });

  it('reload with a valid file puts the new configuration in force', async () => {
    service = AuthoritiesConfigService.open(path, { watchSignals: false });
    await writeFile(path, authoritiesText().replace('severity_weight: 0.85', 'severity_weight: 0.95'));

    const outcome = service.reload();

    expect(outcome).toEqual({ reloaded: true });
    expect(service.current().custom_alert_types['sla_breach']?.severity_weight).toBe(0.95);
  });

  it('reload with an invalid file keeps the previous configuration and logs why', async () => {
    service = AuthoritiesConfigService.open(path, { watchSignals: false });
    const before = service.current();
    await writeFile(path, authoritiesText().replace('severity_weight: 0.85', 'severity_weight: lots'));

    const outcome = service.reload();

    expect(outcome).toMatchObject({
      reloaded: false,
      error: expect.stringContaining('custom_alert_types.sla_breach.severity_weight') as unknown,
    });
    expect(service.current()).toBe(before);
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.objectContaining({ msg: 'authorities configuration rejected; keeping the previous one' }),
    );
  });

  it('SIGHUP reloads the file', async () => {
    service = AuthoritiesConfigService.open(path, { watchSignals: true });
    await writeFile(
      path,
      authoritiesText().replace('correlation_window_minutes: 15', 'correlation_window_minutes: 20'),
    );

    process.emit('SIGHUP', 'SIGHUP');
    await waitFor(() => service?.current().scheduling.correlation_window_minutes === 20);

    expect(service.current().scheduling.correlation_window_minutes).toBe(20);
  });

  it('stops listening for SIGHUP on shutdown', () => {
    const before = process.listenerCount('SIGHUP');
    service = AuthoritiesConfigService.open(path, { watchSignals: true });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);

    service.onApplicationShutdown();

    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
