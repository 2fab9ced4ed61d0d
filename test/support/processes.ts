import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { recordSecrets, secretsOfEnvironment, testLogDir } from './secret-ledger';

export const REPO_ROOT = join(__dirname, '..', '..');

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface StartedProcess {
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a built entry point of this repository with the given environment, capturing its output;
 * when the suite captures logs, the output is also kept in a file and the secrets in `env` are
 * recorded for the log scan.
 */
export function startNode(entry: string, env: Record<string, string>): StartedProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = captureLog(entry, child, env);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    logFile?.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('exit', () => logFile?.end());
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function captureLog(
  entry: string,
  child: ChildProcess,
  env: Record<string, string>,
): ReturnType<typeof createWriteStream> | undefined {
  const dir = testLogDir();
  if (!dir) return undefined;
  recordSecrets(...secretsOfEnvironment(env));
  const folder = join(dir, 'processes');
  mkdirSync(folder, { recursive: true });
  const name = `${basename(dirname(dirname(entry)))}-${child.pid ?? 'unknown'}.log`;
  return createWriteStream(join(folder, name));
}

/** Polls `url` until it answers 200 or the deadline passes; returns the last response body. */
export async function waitForHttp(url: string, timeoutMs: number, process?: StartedProcess): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return await response.text();
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (process && process.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer (${lastError})\n${process?.output() ?? ''}`);
}
