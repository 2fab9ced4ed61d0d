import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, type StartedProcess, waitForHttp } from '../support/processes';

describe('embedded Convene (npm start)', () => {
  let dataDir: string;
  let port: number;
  let convene: StartedProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'convene-e2e-'));
    port = await freePort();
  });

  afterAll(async () => {
    await convene?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startConvene(): Promise<StartedProcess> {
    convene = startNode('dist/embedded/src/main.js', {
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      WEBHOOK_API_KEY: '',
      WEBHOOK_SECRET_KEY: '',
    });
    await waitForHttp(`http://127.0.0.1:${port}/health`, 60_000, convene);
    return convene;
  }

  it('answers /health and /ready with every service database up, and stops cleanly on SIGTERM', async () => {
    const running = await startConvene();

    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
    const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as { ready: boolean };

    expect(health.status).toBe('ok');
    expect(ready.ready).toBe(true);
    await expect(running.stop('SIGTERM')).resolves.toBe(0);
  }, 90_000);

  it('generates webhook credentials once, keeps them private under DATA_DIR and prints them with a curl line', async () => {
    const file = join(dataDir, 'webhook-credentials.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { api_key: string; secret: string };

    const restarted = await startConvene();
    const banner = restarted.output();
    await restarted.stop('SIGTERM');

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(banner).toContain(`Webhook key     ${stored.api_key}`);
    expect(banner).toContain(`-hmac '${stored.secret}'`);
    expect(banner).toContain(`curl -sS -X POST http://127.0.0.1:${port}/webhooks/chainsync/alert`);
  }, 90_000);
});
