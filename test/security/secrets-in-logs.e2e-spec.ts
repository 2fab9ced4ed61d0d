import { createHmac } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { startFakeOpenAi, type FakeOpenAiServer } from '../../apps/analysis/src/testing/openai-compatible.server';
import { LocalHttpServer } from '../../apps/notification/src/testing/local-http.server';
import { freePort, startNode, type StartedProcess, waitForHttp } from '../support/processes';
import { alertFactory, signWebhook } from '../support/webhook';

/*
 * Issue #12: no key, secret or signature may reach the logs. An embedded Convene runs at
 * LOG_LEVEL=debug with a known value for every secret, and talks to real local stand-ins for SMTP
 * (with a password), Slack, ChainSync and OpenAI (which refuses the key, so that the failure path
 * logs too). Then its captured stdout and stderr are searched for every secret string.
 */
const SECRETS = {
  webhookKey: 'leakcheck-webhook-key-7f3a91',
  rotatedKey: 'leakcheck-next-key-c0ffee42',
  webhookSecret: 'leakcheck-webhook-secret-5be2d8',
  smtpPassword: 'leakcheck-smtp-pass-9d41',
  chainsyncKey: 'leakcheck-chainsync-key-0a6e',
  slackPath: 'leakcheck-slack-token-b7c2e5',
  openAiKey: 'sk-leakcheck-openai-3e8f10',
};
const credentials = { apiKey: SECRETS.webhookKey, secret: SECRETS.webhookSecret };

async function startSmtpWithPassword(): Promise<{
  url: string;
  logins: string[];
  mails: number;
  stop(): Promise<void>;
}> {
  const state = { logins: [] as string[], mails: 0 };
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, callback) => {
      state.logins.push(auth.username ?? '');
      if (auth.password === SECRETS.smtpPassword) callback(null, { user: auth.username });
      else callback(new Error('Invalid credentials'));
    },
    onData: (stream, _session, callback) => {
      stream.resume();
      stream.on('end', () => {
        state.mails += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://convene:${SECRETS.smtpPassword}@127.0.0.1:${port}`,
    get logins() {
      return state.logins;
    },
    get mails() {
      return state.mails;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('secrets never reach the logs (embedded, LOG_LEVEL=debug)', () => {
  let dataDir: string;
  let baseUrl: string;
  let convene: StartedProcess;
  let smtp: Awaited<ReturnType<typeof startSmtpWithPassword>>;
  let slack: LocalHttpServer;
  let chainsync: LocalHttpServer;
  let openAi: FakeOpenAiServer;
  const signaturesUsed: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'convene-leak-'));
    [smtp, slack, chainsync, openAi] = await Promise.all([
      startSmtpWithPassword(),
      LocalHttpServer.start(),
      LocalHttpServer.start(() => ({ ok: true })),
      startFakeOpenAi({ behaviour: () => ({ kind: 'status', status: 401 }) }),
    ]);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    convene = startNode('dist/embedded/src/main.js', {
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      WEBHOOK_API_KEY: `${SECRETS.webhookKey},${SECRETS.rotatedKey}`,
      WEBHOOK_SECRET_KEY: SECRETS.webhookSecret,
      SMTP_URL: smtp.url,
      SLACK_WEBHOOK_URL: `${slack.url}/services/T0LEAK/B0LEAK/${SECRETS.slackPath}`,
      CHAINSYNC_API_URL: chainsync.url,
      CHAINSYNC_API_KEY: SECRETS.chainsyncKey,
      OPENAI_API_KEY: SECRETS.openAiKey,
      OPENAI_BASE_URL: openAi.baseURL,
    });
    await waitForHttp(`${baseUrl}/health`, 90_000, convene);
  }, 120_000);

  afterAll(async () => {
    await convene?.stop();
    await Promise.all([smtp?.stop(), slack?.stop(), chainsync?.stop(), openAi?.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('books, notifies and refuses attacks without printing a key, secret, password or signature', async () => {
    const delivery = signWebhook(JSON.stringify(alertFactory({ alert_id: `LEAK-${Date.now()}` })), credentials);
    signaturesUsed.push(delivery.headers['x-webhook-signature'].replace('sha256=', ''));
    const booked = await fetch(`${baseUrl}/webhooks/chainsync/alert`, {
      method: 'POST',
      headers: { ...delivery.headers, prefer: 'wait=30' },
      body: delivery.body,
    });
    const failures = await attacks();

    await eventually(() => smtp.mails > 0 && slack.requests.length > 0 && chainsync.requests.length > 0, 60_000);
    const output = convene.output();
    const leaked = Object.entries({
      ...SECRETS,
      ...Object.fromEntries(signaturesUsed.map((s, i) => [`signature${i}`, s])),
    })
      .filter(([, value]) => output.includes(value))
      .map(([name]) => name);

    expect(booked.status).toBe(200);
    expect(failures).toEqual([403, 401, 401, 401]);
    // The flows really ran with the secrets: SMTP logged in, Slack and ChainSync were called, OpenAI was asked.
    expect(smtp.logins).toContain('convene');
    expect(openAi.requests[0]?.authorization).toBe(`Bearer ${SECRETS.openAiKey}`);
    expect(chainsync.requests[0]?.headers['x-api-key']).toBe(SECRETS.chainsyncKey);
    expect(output.length).toBeGreaterThan(1_000);
    expect(leaked).toEqual([]);
    expect(await readdir(dataDir)).not.toContain('outbox');
  }, 120_000);

  /** A wrong key, a bad signature, a truncated one and one made with another secret. */
  async function attacks(): Promise<number[]> {
    const body = JSON.stringify(alertFactory());
    const ts = Math.floor(Date.now() / 1000);
    const good = signatureOf(body, SECRETS.webhookSecret, ts);
    const forged = signatureOf(body, 'not-the-secret', ts);
    const statuses: number[] = [];
    for (const [key, signature] of [
      ['leakcheck-wrong-key-1d2e3f', good],
      [SECRETS.rotatedKey, `sha256=${good.slice(0, 40)}`],
      [SECRETS.webhookKey, forged],
      // The last hex digit changed (a fixed replacement equals the real one once in 16 runs).
      [SECRETS.webhookKey, `${good.slice(0, 63)}${good.endsWith('0') ? '1' : '0'}`],
    ]) {
      signaturesUsed.push(signature.replace('sha256=', ''));
      const response = await fetch(`${baseUrl}/webhooks/chainsync/alert`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': key,
          'x-webhook-timestamp': String(ts),
          'x-webhook-signature': signature,
        },
        body,
      });
      statuses.push(response.status);
    }
    return statuses;
  }
});

function signatureOf(body: string, secret: string, ts: number): string {
  return createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
}

async function eventually(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
