import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const DEFAULT_URL = 'http://127.0.0.1:8000';
const EMBEDDED_ENTRY = join(__dirname, '..', '..', 'embedded', 'src', 'main.js');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

/** Where the demo sends its alerts, and what to do when it is finished with them. */
export interface ConveneSession {
  baseUrl: string;
  credentials: { apiKey: string; secret: string };
  /** DATA_DIR of the Convene, when the demo knows it (its .eml invites live under `outbox/`). */
  dataDir: string | null;
  /** True when the demo started this Convene itself. */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The running Convene at CONVENE_URL (default http://127.0.0.1:8000), or, when none answers there
 * and CONVENE_URL was not set, an embedded one started for the demo and stopped at the end.
 */
export async function openSession(env: NodeJS.ProcessEnv, onStarting: () => void): Promise<ConveneSession> {
  const baseUrl = (env.CONVENE_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const dataDir = resolve(env.DATA_DIR ?? 'data');
  if (await answersHealth(baseUrl)) {
    const credentials = await credentialsFor(env, dataDir);
    return {
      baseUrl,
      credentials,
      dataDir: existsSync(dataDir) ? dataDir : null,
      embedded: false,
      stop: async () => {},
    };
  }
  if (env.CONVENE_URL) throw new Error(`Nothing answers at ${baseUrl}/health; start Convene or unset CONVENE_URL.`);

  onStarting();
  return startEmbedded(env, dataDir);
}

async function startEmbedded(env: NodeJS.ProcessEnv, dataDir: string): Promise<ConveneSession> {
  if (!existsSync(EMBEDDED_ENTRY)) throw new Error(`${EMBEDDED_ENTRY} is missing; run \`npm run build\` first.`);
  const port = env.PORT ?? String(await portOrFree(8000));
  const child = spawn(process.execPath, [EMBEDDED_ENTRY], {
    env: { ...env, DATA_DIR: dataDir, PORT: port, HOST: '127.0.0.1', LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = (): Promise<void> => stopChild(child, exited);

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersHealth(baseUrl))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`The embedded Convene did not start:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  const credentials = await credentialsFor(env, dataDir);
  return { baseUrl, credentials, dataDir, embedded: true, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** The webhook key and secret: from the environment, else the ones embedded mode keeps in DATA_DIR. */
async function credentialsFor(env: NodeJS.ProcessEnv, dataDir: string): Promise<{ apiKey: string; secret: string }> {
  const apiKey = env.WEBHOOK_API_KEY?.split(',')[0]?.trim();
  if (apiKey && env.WEBHOOK_SECRET_KEY) return { apiKey, secret: env.WEBHOOK_SECRET_KEY };

  const file = join(dataDir, 'webhook-credentials.json');
  if (!existsSync(file)) {
    throw new Error(`Set WEBHOOK_API_KEY and WEBHOOK_SECRET_KEY (no ${file} to read them from).`);
  }
  const stored = JSON.parse(await readFile(file, 'utf8')) as { api_key: string; secret: string };
  return { apiKey: stored.api_key, secret: stored.secret };
}

async function answersHealth(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1_500) });
    return response.ok;
  } catch {
    return false;
  }
}

/** `preferred` when nothing listens on it, so meeting links keep working under a later `npm start`. */
function portOrFree(preferred: number): Promise<number> {
  const listen = (port: number): Promise<number> =>
    new Promise((done, fail) => {
      const probe = createServer();
      probe.once('error', fail);
      probe.listen(port, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => done(typeof address === 'object' && address ? address.port : port));
      });
    });
  return listen(preferred).catch(() => listen(0));
}
