import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { describeAuthorities } from '../../apps/analysis/src/authorities/authority-table';
import { loadAuthoritiesConfig } from '../../apps/analysis/src/authorities/authorities-config.loader';
import { type AlertOutcome, renderAlertOutcome, renderSummary } from './alert-report';
import { renderAuthorityTable } from './authority-report';
import { ConveneApi, eventually, type MeetingJson } from './convene-api';
import { openSession, type ConveneSession } from './convene-session';
import { type AlertPayload, alertsFromFile, isScenario, SCENARIOS, scenarioAlert } from './demo-alerts';
import { withProgress } from './progress';

const USAGE = `Usage: npm run demo -- <case>

  all                  send the four cases below, one after another
  mappings             print who is invited for each alert type, and the escalation rules
  ${SCENARIOS.join('\n  ')}
  <file.json>          send the alert (or array of alerts) in a JSON file

Sends signed alerts to the Convene at CONVENE_URL (default http://127.0.0.1:8000) with the key and
secret from WEBHOOK_API_KEY / WEBHOOK_SECRET_KEY or DATA_DIR/webhook-credentials.json. When nothing
answers there, it starts an embedded Convene with DATA_DIR (default ./data) and stops it at the end.
`;

const out = (text: string): void => void process.stdout.write(text);

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'mappings') {
    const path = process.env.AUTHORITIES_CONFIG ?? 'config/alert_authorities.yaml';
    out(renderAuthorityTable(describeAuthorities(loadAuthoritiesConfig(path)), path));
    return 0;
  }
  const alerts = await alertsFor(command);
  if (alerts === null) {
    out(`Unknown case "${command}".\n\n${USAGE}`);
    return 2;
  }
  return sendAll(alerts);
}

async function alertsFor(command: string): Promise<AlertPayload[] | null> {
  if (command === 'all') return SCENARIOS.map((scenario) => scenarioAlert(scenario));
  if (isScenario(command)) return [scenarioAlert(command)];
  if (command.endsWith('.json')) return alertsFromFile(command);
  return null;
}

async function sendAll(alerts: AlertPayload[]): Promise<number> {
  const session = await openSession(process.env, () => out('No Convene answers; starting an embedded one…\n'));
  const stopOnInterrupt = (): void => void session.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnInterrupt);
  try {
    out(`Convene at ${session.baseUrl}${session.embedded ? ` (embedded, DATA_DIR ${session.dataDir ?? ''})` : ''}\n\n`);
    const api = new ConveneApi(session.baseUrl, session.credentials);
    const outcomes: AlertOutcome[] = [];
    for (const alert of alerts) {
      const outcome = await withProgress(`${alert.alert_id}: waiting for analysis and meeting`, () =>
        followAlert(api, session, alert),
      );
      outcomes.push(outcome);
      out(`${renderAlertOutcome(outcome)}\n`);
    }
    if (outcomes.length > 1) out(`${renderSummary(outcomes)}\n`);
    if (session.embedded) {
      out('Stopping the embedded Convene; `npm start` serves these meetings again from the same DATA_DIR.\n');
    }
    return outcomes.some((outcome) => outcome.error !== null) ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', stopOnInterrupt);
    await session.stop();
  }
}

/** Sends one alert and gathers what Convene made of it. */
async function followAlert(api: ConveneApi, session: ConveneSession, alert: AlertPayload): Promise<AlertOutcome> {
  const outcome: AlertOutcome = {
    alert,
    detail: null,
    meeting: null,
    inviteUrl: null,
    emlFiles: [],
    outboxDir: session.dataDir ? shortPath(join(session.dataDir, 'outbox')) : null,
    pageUrl: session.embedded ? null : `${session.baseUrl}/ui/alerts/${encodeURIComponent(alert.alert_id)}`,
    error: null,
  };
  try {
    const sent = await api.sendAlert(alert);
    outcome.detail = (await eventually(() => settledAlert(api, alert.alert_id), 30_000)) ?? null;
    const meetingId = sent.meetingId ?? outcome.detail?.meeting_id ?? null;
    if (meetingId === null) return outcome;

    outcome.meeting =
      (await eventually(() => notifiedMeeting(api, meetingId), 15_000)) ?? (await api.meeting(meetingId));
    outcome.inviteUrl = api.inviteUrl(meetingId);
    outcome.emlFiles = outcome.outboxDir ? await invitesInOutbox(outcome.outboxDir, meetingId) : [];
  } catch (error) {
    outcome.error = error instanceof Error ? error.message : String(error);
  }
  return outcome;
}

/** The alert once analysed and either booked or known to book nothing. */
async function settledAlert(api: ConveneApi, alertId: string) {
  const detail = await api.alert(alertId);
  if (!detail?.processed_at) return undefined;
  return detail.meeting_id !== null || detail.books_meeting === false ? detail : undefined;
}

/** The meeting once an email went out to every attendee (the invites are then on disk or sent). */
async function notifiedMeeting(api: ConveneApi, meetingId: string): Promise<MeetingJson | undefined> {
  const meeting = await api.meeting(meetingId);
  if (!meeting) return undefined;
  if (meeting.notifications === undefined) return meeting;
  const emailed = meeting.notifications.filter((n) => n.channel === 'email' && n.outcome === 'delivered');
  return emailed.length >= meeting.attendees.length ? meeting : undefined;
}

async function invitesInOutbox(outboxDir: string, meetingId: string): Promise<string[]> {
  const prefix = `${meetingId.replace(/[^A-Za-z0-9-]/g, '_')}-`;
  const files = await readdir(outboxDir).catch(() => [] as string[]);
  return files.filter((name) => name.startsWith(prefix) && name.endsWith('.eml')).sort();
}

/** `data/outbox` rather than an absolute path when it lies under the working directory. */
function shortPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
