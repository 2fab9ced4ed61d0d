import type { AlertDetailJson, MeetingJson } from './convene-api';
import type { AlertPayload } from './demo-alerts';

export const WIDTH = 80;
const LABEL_WIDTH = 18;
const HEAVY = '='.repeat(WIDTH);
const LIGHT = '─'.repeat(WIDTH);

/** Everything the demo learned about one alert it sent. */
export interface AlertOutcome {
  alert: AlertPayload;
  detail: AlertDetailJson | null;
  meeting: MeetingJson | null;
  inviteUrl: string | null;
  /** File names of the .eml invites written for the meeting under outboxDir (no SMTP configured). */
  emlFiles: string[];
  outboxDir: string | null;
  /** The alert's page on the gateway, when it stays up after the demo. */
  pageUrl: string | null;
  error: string | null;
}

const INVITED_BY: Record<string, string> = {
  alert_type: 'alert type',
  default_route: 'default route (unknown type)',
  high_severity: 'escalation: high severity',
  executive: 'escalation: executive',
  customer_impact: 'escalation: customer impact',
};

/** The report for one alert, in the seed's order: the alert, the analysis, urgency, who, when, where. */
export function renderAlertOutcome(outcome: AlertOutcome, now: Date = new Date()): string {
  const sections = [
    alertSection(outcome),
    outcome.error ? section('FAILED', [outcome.error]) : null,
    outcome.detail ? analysisSection(outcome.detail) : null,
    outcome.detail ? urgencySection(outcome.detail, outcome.meeting) : null,
    outcome.meeting ? attendeeSection(outcome.meeting) : null,
    outcome.meeting ? meetingSection(outcome, outcome.meeting, now) : noMeetingSection(outcome),
  ];
  return `${sections.filter((text): text is string => text !== null).join('\n\n')}\n`;
}

function alertSection({ alert }: AlertOutcome): string {
  const systems = Array.isArray(alert.affected_systems) ? alert.affected_systems.map(String).join(', ') : '—';
  return [
    HEAVY,
    `ALERT ${alert.alert_id}`,
    HEAVY,
    field('Type', text(alert.alert_type)),
    field('Severity', text(alert.severity).toUpperCase()),
    field('Description', text(alert.description)),
    field('Affected systems', systems),
  ].join('\n');
}

function analysisSection(detail: AlertDetailJson): string {
  const violations = detail.compliance_violations.map((v) =>
    v.violation.startsWith(v.framework) ? `• ${v.violation}` : `• ${v.framework}: ${v.violation}`,
  );
  const lines = [
    field('Written by', analysisSource(detail)),
    field('Root cause', detail.root_cause ?? 'not analysed yet'),
    field('Compliance', [detail.compliance_status ?? '—', ...violations].join('\n')),
  ];
  if (detail.recommendations.length > 0) lines.push(numbered('Recommendations', detail.recommendations));
  return section('AI ANALYSIS', lines);
}

/** `llm (gpt-4o-mini)`, `template (no_api_key)`, or per agent when they differ. */
export function analysisSource(detail: AlertDetailJson): string {
  const agents = detail.analysis_agents ?? [];
  if (agents.length === 0) return 'unknown (this Convene does not report it)';
  const describe = (run: (typeof agents)[number]): string =>
    run.source === 'llm' ? `llm (${run.model ?? 'model unknown'})` : `template (${run.fallback_reason ?? 'fallback'})`;
  const kinds = new Set(agents.map(describe));
  if (kinds.size === 1) return `${describe(agents[0])}, all ${agents.length} agents`;
  return agents.map((run) => `${run.agent}: ${describe(run)}`).join('\n');
}

function urgencySection(detail: AlertDetailJson, meeting: MeetingJson | null): string {
  const score = detail.urgency_score ?? meeting?.urgency_score;
  return section('URGENCY', [
    field('Level', `${detail.urgency_level ?? meeting?.urgency_level ?? '—'} (score ${score?.toFixed(2) ?? '—'})`),
    field('Response time', detail.recommended_response_time ?? '—'),
    field('Duration', meeting ? `${meeting.duration_minutes} minutes` : '—'),
  ]);
}

function attendeeSection(meeting: MeetingJson): string {
  const roleWidth = Math.max(...meeting.attendees.map((a) => a.role.length), 4);
  const personWidth = Math.max(...meeting.attendees.map((a) => `${a.name} <${a.email}>`.length), 6);
  const rows = meeting.attendees.map((attendee) => {
    const person = `${attendee.name} <${attendee.email}>`;
    const why = INVITED_BY[attendee.invited_by ?? ''] ?? attendee.invited_by ?? '—';
    return `  • ${attendee.role.padEnd(roleWidth)}  ${person.padEnd(personWidth)}  ${why}`;
  });
  const header = `    ${'role'.padEnd(roleWidth)}  ${'person'.padEnd(personWidth)}  invited by`;
  return section(`AUTHORITIES INVITED (${meeting.attendees.length})`, [header, ...rows]);
}

function meetingSection(outcome: AlertOutcome, meeting: MeetingJson, now: Date): string {
  const lines = [
    field('Title', meeting.meeting_title),
    field('Status', meeting.status),
    field('Slot', describeSlot(meeting, now)),
    field('Meeting URL', meeting.meeting_url),
    field('Invite (.ics)', outcome.inviteUrl ?? '—'),
  ];
  if (outcome.pageUrl !== null) lines.push(field('Follow it at', outcome.pageUrl));
  if (outcome.outboxDir !== null) lines.push(field('Email invites', emailSummary(outcome)));
  lines.push(numbered('Agenda', meeting.discussion_points));
  return section('MEETING SCHEDULED', lines);
}

function noMeetingSection(outcome: AlertOutcome): string | null {
  if (outcome.error) return null;
  const reason =
    outcome.detail?.books_meeting === false
      ? 'This urgency level only notifies; the configuration books no meeting for it.'
      : 'No meeting yet; it may still be in progress. Look again with GET /alerts/' + outcome.alert.alert_id;
  return section('NO MEETING', [reason]);
}

function emailSummary(outcome: AlertOutcome): string {
  if (outcome.emlFiles.length === 0) return `none in ${outcome.outboxDir ?? ''} (sent by SMTP when SMTP_URL is set)`;
  return [`${outcome.emlFiles.length} .eml files in ${outcome.outboxDir ?? ''}/`, ...outcome.emlFiles].join('\n');
}

/** `Thu 3 Dec 21:10–22:10 UTC (in 58 min)`, in the meeting's own timezone. */
export function describeSlot(meeting: MeetingJson, now: Date): string {
  const start = new Date(meeting.scheduled_time);
  const end = new Date(start.getTime() + meeting.duration_minutes * 60_000);
  const timeZone = meeting.timezone ?? 'UTC';
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone });
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });
  return `${day.format(start).replace(',', '')} ${time.format(start)}–${time.format(end)} ${timeZone} (${relative(start, now)})`;
}

function relative(start: Date, now: Date): string {
  const minutes = Math.round((start.getTime() - now.getTime()) / 60_000);
  if (minutes < 0) return `${-minutes} min ago`;
  if (minutes < 120) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `in ${hours} h ${minutes % 60} min`;
}

function section(title: string, lines: string[]): string {
  return [title, LIGHT, ...lines].join('\n');
}

/** `  Label             value`, wrapping long values under the value column. */
export function field(label: string, value: string): string {
  const indent = ' '.repeat(LABEL_WIDTH + 2);
  const wrapped = value.split('\n').flatMap((line) => wrap(line, WIDTH - indent.length));
  return wrapped
    .map((line, index) => (index === 0 ? `  ${label.padEnd(LABEL_WIDTH)}${line}` : `${indent}${line}`))
    .join('\n');
}

function numbered(label: string, items: string[]): string {
  const width = String(items.length).length;
  return field(label, items.map((item, index) => `${String(index + 1).padStart(width)}. ${item}`).join('\n'));
}

function wrap(line: string, width: number): string[] {
  const hanging = /^\s*(?:\d+\.|•)\s/.exec(line)?.[0].length ?? 0;
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(/\s+/).filter((w) => w.length > 0)) {
    if (current.length > 0 && current.length + 1 + word.length > width) {
      lines.push(current);
      current = ' '.repeat(hanging) + word;
    } else {
      current = current.length === 0 ? (line.match(/^\s*/)?.[0] ?? '') + word : `${current} ${word}`;
    }
  }
  return lines.length === 0 && current.length === 0 ? [''] : [...lines, current];
}

function text(value: unknown): string {
  return typeof value === 'string' && value.length > 0 ? value : '—';
}

/** One line per alert after `all`: what was booked for whom. */
export function renderSummary(outcomes: AlertOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.alert.alert_id,
    text(o.alert.alert_type),
    o.detail?.urgency_level ? `${o.detail.urgency_level} ${o.detail.urgency_score?.toFixed(2) ?? ''}` : '—',
    o.meeting ? String(o.meeting.attendees.length) : '—',
    o.meeting ? `${o.meeting.duration_minutes} min` : o.error ? 'failed' : 'no meeting',
  ]);
  const header = ['alert', 'type', 'urgency', 'invited', 'meeting'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => `  ${cells.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [HEAVY, 'SUMMARY', HEAVY, line(header), ...rows.map(line)].join('\n') + '\n';
}
