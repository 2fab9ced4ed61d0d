import type {
  AlertDetail,
  AlertView,
  MeetingAttendeeView,
  MeetingView,
  TimelineEntry,
} from '../query/audit-query.port';
import { html, safeUrl, type SafeHtml } from './html';

export const STYLESHEET_PATH = '/ui/convene.css';

const INVITED_BY: Record<string, string> = {
  alert_type: 'Owns this alert type',
  default_route: 'Default route (unknown alert type)',
  high_severity: 'Escalation: high or critical severity',
  executive: 'Escalation: executive sponsor for security or compliance',
  customer_impact: 'Escalation: customers are affected',
};

/** The pipeline stages the page shows for every alert, with the event that marks each. */
const STAGES: { label: string; topics: string[] }[] = [
  { label: 'Received', topics: ['alert.received'] },
  { label: 'Analyzed', topics: ['alert.analyzed'] },
  { label: 'Scheduled', topics: ['meeting.scheduled'] },
  { label: 'Notified', topics: ['notification.delivered', 'notification.failed'] },
];

export function renderDashboard(alerts: AlertView[], meetings: MeetingView[]): string {
  return page(
    'Convene',
    html`<h1>Convene</h1>
      <p class="lede">Recent alerts and the meetings Convene booked for them. Select an alert to follow it.</p>
      <section aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">Recent alerts</h2>
        ${alerts.length === 0 ? html`<p class="empty">No alerts yet. Send one to /webhooks/chainsync/alert.</p>` : alertTable(alerts)}
      </section>
      <section aria-labelledby="meetings-heading">
        <h2 id="meetings-heading">Recent meetings</h2>
        ${meetings.length === 0 ? html`<p class="empty">No meetings yet.</p>` : meetingTable(meetings)}
      </section>`,
  );
}

function alertTable(alerts: AlertView[]): SafeHtml {
  const rows = alerts.map(
    (alert) =>
      html`<tr>
        <td class="nowrap"><a class="alert-link" href="${alertPath(alert.alert_id)}">${alert.alert_id}</a></td>
        <td>${alert.alert_type ?? '—'}</td>
        <td>${severityBadge(alert.severity)}</td>
        <td>
          ${alert.urgency_level ?? '—'}${alert.urgency_score === null ? '' : html` <span class="muted">${alert.urgency_score.toFixed(2)}</span>`}
        </td>
        <td class="description">${alert.description ?? ''}</td>
        <td>${alert.meeting_id ? 'booked' : html`<span class="muted">none</span>`}</td>
        <td class="nowrap">${formatTime(alert.created_at)}</td>
      </tr>`,
  );
  return html`<table>
    <thead>
      <tr>
        <th>Alert</th>
        <th>Type</th>
        <th>Severity</th>
        <th>Urgency</th>
        <th>Description</th>
        <th>Meeting</th>
        <th>Received</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

function meetingTable(meetings: MeetingView[]): SafeHtml {
  const rows = meetings.map(
    (meeting) =>
      html`<tr>
        <td>${meeting.meeting_title}</td>
        <td class="nowrap"><a href="${alertPath(meeting.alert_id)}">${meeting.alert_id}</a></td>
        <td>${meeting.urgency_level}</td>
        <td>${formatSlot(meeting)}</td>
        <td>${meeting.attendees.length}</td>
        <td>${meeting.status}</td>
        <td><a href="${invitePath(meeting.meeting_id)}">invite.ics</a></td>
      </tr>`,
  );
  return html`<table>
    <thead>
      <tr>
        <th>Meeting</th>
        <th>Alert</th>
        <th>Urgency</th>
        <th>When</th>
        <th>Invited</th>
        <th>Status</th>
        <th>Invite</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** One alert: its facts, the four stages with times, the analysis, and the meeting with its people. */
export function renderAlertPage(alert: AlertDetail, meeting: MeetingView | null, jaegerUiUrl: string | null): string {
  return page(
    `${alert.alert_id} · Convene`,
    html`<p><a href="/">← All alerts</a></p>
      <h1>${alert.alert_id} ${severityBadge(alert.severity)}</h1>
      <p class="lede">${alert.description ?? ''}</p>
      <dl class="facts">
        <dt>Type</dt>
        <dd>${alert.alert_type ?? '—'}</dd>
        <dt>Affected systems</dt>
        <dd>${alert.affected_systems.join(', ') || '—'}</dd>
        <dt>Urgency</dt>
        <dd>
          ${alert.urgency_level ?? '—'}
          ${alert.urgency_score === null ? '' : `(score ${alert.urgency_score.toFixed(2)})`}
        </dd>
        <dt>Respond</dt>
        <dd>${alert.recommended_response_time ?? '—'}</dd>
        <dt>Trace</dt>
        <dd>${traceLink(alert.trace_id, jaegerUiUrl)}</dd>
      </dl>
      ${timelineSection(alert.timeline)} ${analysisSection(alert)}
      ${
        meeting
          ? meetingSection(meeting)
          : html`<section>
              <h2>Meeting</h2>
              <p class="empty">No meeting booked yet.</p>
            </section>`
      }`,
  );
}

function timelineSection(timeline: TimelineEntry[]): SafeHtml {
  const start = timeline[0] ? Date.parse(timeline[0].time) : Number.NaN;
  const stages = STAGES.map(({ label, topics }) => {
    const entry = timeline.find((candidate) => topics.includes(candidate.topic));
    const failed = entry?.topic === 'notification.failed';
    const state = entry ? (failed ? 'failed' : 'done') : 'pending';
    return html`<li class="stage ${state}" data-stage="${label.toLowerCase()}">
      <span class="stage-name">${label}</span>
      <span class="stage-time">${entry ? formatTime(entry.time) : 'waiting'}</span>
      <span class="stage-delta"
        >${entry && !Number.isNaN(start) ? `+${formatDelta(Date.parse(entry.time) - start)}` : ''}</span
      >
      <span class="stage-by">${entry ? `${entry.service}${failed ? ' · failed' : ''}` : ''}</span>
    </li>`;
  });
  const events = timeline.map(
    (entry) =>
      html`<li><code>${entry.topic}</code> ${formatTime(entry.time)} <span class="muted">${entry.service}</span></li>`,
  );
  return html`<section aria-labelledby="timeline-heading">
    <h2 id="timeline-heading">Timeline</h2>
    <ol class="timeline">
      ${stages}
    </ol>
    <details>
      <summary>All ${timeline.length} events</summary>
      <ul class="events">
        ${events}
      </ul>
    </details>
  </section>`;
}

function analysisSection(alert: AlertDetail): SafeHtml {
  const agents = alert.analysis_agents ?? [];
  const source = agents.map(
    (run) =>
      html`<li>
        ${run.agent}:
        ${run.source === 'llm' ? `LLM (${run.model ?? 'model unknown'})` : `template (${run.fallback_reason ?? 'fallback'})`}
      </li>`,
  );
  const violations = alert.compliance_violations.map((violation) => html`<li>${describeViolation(violation)}</li>`);
  return html`<section aria-labelledby="analysis-heading">
    <h2 id="analysis-heading">Analysis</h2>
    <dl class="facts">
      <dt>Root cause</dt>
      <dd>${alert.root_cause ?? 'not analysed yet'}</dd>
      <dt>Compliance</dt>
      <dd>
        ${alert.compliance_status ?? '—'}${
          violations.length > 0
            ? html`<ul>
                ${violations}
              </ul>`
            : ''
        }
      </dd>
      <dt>Written by</dt>
      <dd>
        ${
          agents.length > 0
            ? html`<ul class="plain">
                ${source}
              </ul>`
            : '—'
        }
      </dd>
    </dl>
    ${
      alert.recommendations.length > 0
        ? html`<h3>Recommendations</h3>
            <ol>
              ${alert.recommendations.map((item) => html`<li>${item}</li>`)}
            </ol>`
        : ''
    }
  </section>`;
}

function meetingSection(meeting: MeetingView): SafeHtml {
  return html`<section aria-labelledby="meeting-heading">
    <h2 id="meeting-heading">Meeting</h2>
    <dl class="facts">
      <dt>Title</dt>
      <dd>${meeting.meeting_title}</dd>
      <dt>When</dt>
      <dd>${formatSlot(meeting)}</dd>
      <dt>Status</dt>
      <dd>${meeting.status}</dd>
      <dt>Join</dt>
      <dd><a href="${safeUrl(meeting.meeting_url)}" rel="noopener noreferrer">${meeting.meeting_url}</a></dd>
      <dt>Invite</dt>
      <dd>
        <a class="invite" href="${invitePath(meeting.meeting_id)}" download="${meeting.meeting_id}.ics"
          >Download invite (.ics)</a
        >
      </dd>
    </dl>
    <h3>Why it was scheduled</h3>
    <p>${meeting.why_scheduled}</p>
    <h3>Attendees (${meeting.attendees.length})</h3>
    <table class="attendees">
      <thead>
        <tr>
          <th>Role</th>
          <th>Person</th>
          <th>Why invited</th>
        </tr>
      </thead>
      <tbody>
        ${meeting.attendees.map(attendeeRow)}
      </tbody>
    </table>
    <h3>Agenda</h3>
    <ol class="agenda">
      ${meeting.discussion_points.map((point) => html`<li>${point}</li>`)}
    </ol>
    <h3>Pre-meeting summary</h3>
    <p class="summary">${meeting.pre_meeting_summary}</p>
  </section>`;
}

function attendeeRow(attendee: MeetingAttendeeView): SafeHtml {
  const why = INVITED_BY[attendee.invited_by ?? ''] ?? attendee.invited_by ?? '—';
  return html`<tr>
    <td>${attendee.role}</td>
    <td>${attendee.name} <span class="muted">&lt;${attendee.email}&gt;</span></td>
    <td>${why}</td>
  </tr>`;
}

/** Shown instead of data when the page needs a read key: a form that trades it for a cookie. */
export function renderKeyForm(message: string | null): string {
  return page(
    'Sign in · Convene',
    html`<h1>Convene</h1>
      <p class="lede">This Convene needs a read key (one of API_READ_KEYS, or a webhook key) to show alerts.</p>
      ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
      <form method="post" action="/ui/session">
        <label for="key">Read key</label>
        <input id="key" name="key" type="password" autocomplete="current-password" required />
        <button type="submit">Open</button>
      </form>`,
  );
}

export function renderNotFound(alertId: string): string {
  return page(
    'Not found · Convene',
    html`<p><a href="/">← All alerts</a></p>
      <h1>No alert ${alertId}</h1>`,
  );
}

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html> `.value;
}

function traceLink(traceId: string | null, jaegerUiUrl: string | null): SafeHtml | string {
  if (!traceId) return '—';
  if (!jaegerUiUrl || !/^[0-9a-f]{32}$/.test(traceId)) return html`<code>${traceId}</code>`;
  const href = safeUrl(`${jaegerUiUrl.replace(/\/+$/, '')}/trace/${traceId}`);
  return html`<a class="trace" href="${href}" rel="noopener noreferrer"><code>${traceId}</code> in Jaeger</a>`;
}

function severityBadge(severity: string | null): SafeHtml {
  const known = ['critical', 'high', 'medium', 'low'].includes(severity ?? '') ? severity : 'unknown';
  return html`<span class="badge ${known}">${severity ?? 'unknown'}</span>`;
}

function describeViolation(violation: unknown): string {
  if (typeof violation === 'object' && violation !== null && 'framework' in violation && 'violation' in violation) {
    const [framework, text] = [String(violation.framework), String(violation.violation)];
    return text.startsWith(framework) ? text : `${framework}: ${text}`;
  }
  return JSON.stringify(violation);
}

export function alertPath(alertId: string): string {
  return `/ui/alerts/${encodeURIComponent(alertId)}`;
}

export function invitePath(meetingId: string): string {
  return `/ui/meetings/${encodeURIComponent(meetingId)}/invite.ics`;
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function formatDelta(ms: number): string {
  return ms < 1000 ? `${Math.max(ms, 0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function formatSlot(meeting: MeetingView & { timezone?: string }): string {
  const timeZone = meeting.timezone ?? 'UTC';
  const start = new Date(meeting.scheduled_time);
  const end = new Date(start.getTime() + meeting.duration_minutes * 60_000);
  try {
    const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone }).format(start);
    const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone });
    return `${day} ${time.format(start)}–${time.format(end)} ${timeZone}`;
  } catch {
    return `${formatTime(meeting.scheduled_time)} (${meeting.duration_minutes} min)`;
  }
}
