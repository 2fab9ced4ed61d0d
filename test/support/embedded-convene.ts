import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, type StartedProcess, waitForHttp } from './processes';

/** The built embedded Convene (`dist/embedded/src/main.js`) on a DATA_DIR and port of its own. */
export interface EmbeddedConvene {
  readonly baseUrl: string;
  readonly dataDir: string;
  /** The running process: the latest one after a restart. */
  readonly process: StartedProcess;
  /** Starts Convene again on the same DATA_DIR and port, once the caller has stopped or killed it. */
  restart(): Promise<StartedProcess>;
  /** Stops the process and deletes its DATA_DIR. */
  destroy(): Promise<void>;
}

/**
 * Starts an embedded Convene as e2e tests want it: a fresh DATA_DIR named after `name`, a free
 * port, the given webhook credentials (`'generated'`: none set, so Convene makes its own as on a
 * first `npm start`), the template analysis, `.eml` files instead of SMTP and warnings only. `env`
 * adds settings or overrides these. Resolves once `/health` answers.
 */
export async function startEmbeddedConvene(
  name: string,
  credentials: { apiKey: string; secret: string } | 'generated',
  env: Record<string, string> = {},
): Promise<EmbeddedConvene> {
  const dataDir = await mkdtemp(join(tmpdir(), `convene-${name}-`));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const keys = credentials === 'generated' ? { apiKey: '', secret: '' } : credentials;
  const start = async (): Promise<StartedProcess> => {
    const child = startNode('dist/embedded/src/main.js', {
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      WEBHOOK_API_KEY: keys.apiKey,
      WEBHOOK_SECRET_KEY: keys.secret,
      OPENAI_API_KEY: '',
      SMTP_URL: '',
      ...env,
    });
    running = child;
    await waitForHttp(`${baseUrl}/health`, 90_000, child);
    return child;
  };
  let running: StartedProcess | undefined;
  const destroy = async (): Promise<void> => {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    baseUrl,
    dataDir,
    get process(): StartedProcess {
      if (!running) throw new Error('embedded Convene was never started');
      return running;
    },
    restart: start,
    destroy,
  };
}
