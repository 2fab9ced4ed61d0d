import { mkdtemp, rm } from 'node:fs/promises';
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

  it('answers /health and /ready with every service database up, and stops cleanly on SIGTERM', async () => {
    convene = startNode('dist/embedded/src/main.js', { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' });

    const health = JSON.parse(await waitForHttp(`http://127.0.0.1:${port}/health`, 60_000, convene)) as {
      status: string;
    };
    const ready = (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()) as { ready: boolean };

    expect(health.status).toBe('ok');
    expect(ready.ready).toBe(true);
    await expect(convene.stop('SIGTERM')).resolves.toBe(0);
  }, 90_000);
});
