import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';

describe('embedded Convene (npm start)', () => {
  let convene: EmbeddedConvene;

  beforeAll(async () => {
    convene = await startEmbeddedConvene('e2e', 'generated');
  }, 120_000);

  afterAll(async () => {
    await convene?.destroy();
  });

  it('answers /health and /ready with every service database up, and stops cleanly on SIGTERM', async () => {
    const running = convene.process;

    const health = (await (await fetch(`${convene.baseUrl}/health`)).json()) as { status: string };
    const ready = (await (await fetch(`${convene.baseUrl}/ready`)).json()) as { ready: boolean };

    expect(health.status).toBe('ok');
    expect(ready.ready).toBe(true);
    await expect(running.stop('SIGTERM')).resolves.toBe(0);
  }, 90_000);

  it('generates webhook credentials once, keeps them private under DATA_DIR and prints them with a curl line', async () => {
    const file = join(convene.dataDir, 'webhook-credentials.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { api_key: string; secret: string };

    const restarted = await convene.restart();
    const banner = restarted.output();
    await restarted.stop('SIGTERM');

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(banner).toContain(`Webhook key     ${stored.api_key}`);
    expect(banner).toContain(`-hmac '${stored.secret}'`);
    expect(banner).toContain(`curl -sS -X POST ${convene.baseUrl}/webhooks/chainsync/alert`);
  }, 90_000);
});
