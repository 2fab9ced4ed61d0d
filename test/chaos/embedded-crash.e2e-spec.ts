import { type EmbeddedConvene, startEmbeddedConvene } from '../support/embedded-convene';
import { alertFactory, postAlert } from '../support/webhook';

/*
 * Issue #12, embedded variant: the one process is SIGKILLed under load and restarted on the same
 * DATA_DIR. Every alert answered 202 before or after the crash must get its meeting.
 */
const ALERTS = Number(process.env.CHAOS_EMBEDDED_ALERTS ?? 80);
const credentials = { apiKey: 'embedded-chaos-key', secret: 'embedded-chaos-secret' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('embedded Convene killed under load', () => {
  let convene: EmbeddedConvene | undefined;

  afterAll(async () => {
    await convene?.destroy();
  });

  it('books a meeting for every alert accepted before and after a SIGKILL, once each', async () => {
    convene = await startEmbeddedConvene('crash', credentials, { RATE_LIMIT_PER_MINUTE: '1000000' });
    const { baseUrl } = convene;
    const first = convene.process;
    const accepted: string[] = [];
    let refused = 0;

    const sendAll = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i += 1) {
        const alert = alertFactory({ alert_id: `CRASH-${i}-${Date.now()}`, affected_systems: [`crash-svc-${i}`] });
        const response = await postAlert(baseUrl, alert, credentials).catch(() => null);
        if (response?.status === 202) accepted.push(String(alert.alert_id));
        else refused += 1;
      }
    };
    const half = Math.floor(ALERTS / 2);
    const load = Promise.all([sendAll(0, half / 2), sendAll(half / 2, half)]);
    await sleep(1_500);
    await first.stop('SIGKILL');
    await load;
    const acceptedBeforeRestart = accepted.length;

    const restarted = Date.now();
    await convene.restart();
    const restartSeconds = (Date.now() - restarted) / 1000;
    await Promise.all([sendAll(half, half + (ALERTS - half) / 2), sendAll(half + (ALERTS - half) / 2, ALERTS)]);

    const meetings = await meetingsOf(baseUrl, accepted, 180_000);
    process.stdout.write(
      `embedded crash: ${JSON.stringify({ sent: ALERTS, accepted: accepted.length, acceptedBeforeRestart, refused, restartSeconds, meetings: new Set(meetings.values()).size })}\n`,
    );
    expect(acceptedBeforeRestart).toBeGreaterThan(0);
    expect([...meetings.keys()].sort()).toEqual([...accepted].sort());
    expect(new Set(meetings.values()).size).toBe(accepted.length);
  }, 600_000);
});

/** Polls each alert until it names its meeting; returns alert id → meeting id. */
async function meetingsOf(baseUrl: string, alertIds: string[], timeoutMs: number): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  const found = new Map<string, string>();
  while (found.size < alertIds.length && Date.now() < deadline) {
    for (const id of alertIds.filter((alertId) => !found.has(alertId))) {
      const response = await fetch(`${baseUrl}/alerts/${encodeURIComponent(id)}`).catch(() => null);
      const alert = response?.ok ? ((await response.json()) as { meeting_id: string | null }) : null;
      if (alert?.meeting_id) found.set(id, alert.meeting_id);
    }
    if (found.size < alertIds.length) await sleep(1_000);
  }
  return found;
}
