import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, type StartedProcess, waitForHttp } from './processes';

/** The built embedded Convene (`dist/embedded/src/main.js`) on a DATA_DIR and port of its own. */
export interface EmbeddedConvene {
  baseUrl: string;
  dataDir: string;
  process: StartedProcess;
  /** Stops the process and deletes its DATA_DIR. */
  destroy(): Promise<void>;
}

/**
 * Starts an embedded Convene as e2e tests want it: a fresh DATA_DIR named after `name`, a free
 * port, the given webhook credentials, the template analysis, `.eml` files instead of SMTP and
 * warnings only. `env` adds settings or overrides these. Resolves once `/health` answers.
 */
export async function startEmbeddedConvene(
  name: string,
  credentials: { apiKey: string; secret: string },
  env: Record<string, string> = {},
): Promise<EmbeddedConvene> {
  const dataDir = await mkdtemp(join(tmpdir(), `convene-${name}-`));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = startNode('dist/embedded/src/main.js', {
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    WEBHOOK_API_KEY: credentials.apiKey,
    WEBHOOK_SECRET_KEY: credentials.secret,
    OPENAI_API_KEY: '',
    SMTP_URL: '',
    ...env,
  });
  const destroy = async (): Promise<void> => {
    await child.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${baseUrl}/health`, 60_000, child);
  } catch (error) {
    await destroy();
    throw error;
  }
  return { baseUrl, dataDir, process: child, destroy };
}
