import type { MeetingAttendee } from '#libs/contracts';
import type { MeetingEventKind, MeetingNotice } from '../../deliveries/delivery.entity';
import { describeInstant, describeWhen, invitationReason, isWebLink, subjectPrefix } from '../meeting-wording';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** One titled part of the message body: a paragraph or a list, in both HTML and text. */
interface Section {
  title: string;
  paragraphs?: string[];
  items?: string[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * What every attendee's invitation for one meeting event shares: all of it but the greeting. The
 * sender prepares it once per event and personalises it per recipient, since the wording of dates
 * and sections is the costly part and the same for everyone.
 */
export interface InviteEmailTemplate {
  kind: MeetingEventKind;
  notice: MeetingNotice;
  subject: string;
  /** Text and HTML after the introduction. */
  textBody: string;
  htmlBody: string;
}

export function prepareInviteEmail(kind: MeetingEventKind, notice: MeetingNotice): InviteEmailTemplate {
  const when = describeWhen(notice);
  const subject = `[${notice.urgency.level}] ${subjectPrefix(kind)}: ${notice.title} — ${when}`;
  const sections = bodySections(notice);

  return {
    kind,
    notice,
    subject: subject.replace(/[\r\n]+/g, ' '),
    textBody: renderText(notice, when, sections),
    htmlBody: renderHtml(notice, when, sections),
  };
}

/**
 * The invitation email for one attendee: why the meeting exists, its agenda, the pre-meeting
 * summary, the root cause, the compliance findings and the regulatory deadlines. Every value comes
 * from alert data and AI output, so all of it is escaped in the HTML part.
 */
export function personaliseInviteEmail(template: InviteEmailTemplate, recipient: string): RenderedEmail {
  const { kind, notice } = template;
  const attendee = notice.attendees.find((a) => a.email.trim().toLowerCase() === recipient.toLowerCase());
  const intro = introduction(kind, notice, attendee);

  return {
    subject: template.subject,
    text: `${intro.join('\n')}\n\n${template.textBody}`,
    html: htmlDocument([...intro.map((line) => `<p>${escapeHtml(line)}</p>`), template.htmlBody]),
  };
}

export function renderInviteEmail(kind: MeetingEventKind, notice: MeetingNotice, recipient: string): RenderedEmail {
  return personaliseInviteEmail(prepareInviteEmail(kind, notice), recipient);
}

function introduction(kind: MeetingEventKind, notice: MeetingNotice, attendee: MeetingAttendee | undefined): string[] {
  const greeting = attendee ? `Hello ${attendee.name},` : 'Hello,';
  const reasonLine = notice.reason ? ` Reason: ${notice.reason}.` : '';
  switch (kind) {
    case 'scheduled':
      return [
        greeting,
        attendee
          ? `You are invited as ${attendee.role} because ${invitationReason(attendee.invited_by)}.`
          : 'You are invited to this incident meeting.',
      ];
    case 'updated':
      return [greeting, `This meeting has changed; the invitation below replaces the previous one.${reasonLine}`];
    case 'cancelled':
      return [greeting, `This meeting is cancelled; it has been removed from your calendar.${reasonLine}`];
  }
}

function bodySections(notice: MeetingNotice): Section[] {
  const { compliance } = notice;
  const frameworkLines = compliance.frameworks.flatMap((framework) => [
    `${framework.framework}: ${framework.status}`,
    ...framework.findings.map((finding) => `${framework.framework} finding: ${finding}`),
    ...framework.violations.map((violation) => `${framework.framework} violation: ${violation}`),
  ]);
  const deadlines = compliance.regulatory_deadlines.map(
    (deadline) =>
      `${deadline.framework}: ${deadline.obligation} — due ${describeInstant(deadline.due_at, notice.timezone)}`,
  );
  return [
    { title: 'Why this meeting', paragraphs: [notice.why_scheduled] },
    { title: 'Agenda', items: notice.agenda },
    { title: 'Pre-meeting summary', paragraphs: [notice.pre_meeting_summary] },
    { title: 'Root cause', paragraphs: [notice.root_cause] },
    {
      title: 'Compliance',
      paragraphs: [`Overall status: ${compliance.overall_status}, risk ${compliance.risk_level}.`],
      items: frameworkLines,
    },
    { title: 'Regulatory deadlines', items: deadlines },
    { title: 'Attendees', items: notice.attendees.map((a) => `${a.name} (${a.role}) <${a.email}>`) },
  ].filter((section) => hasContent(section));
}

function hasContent(section: Section): boolean {
  const paragraphs = (section.paragraphs ?? []).filter((p) => p.trim() !== '');
  return paragraphs.length > 0 || (section.items ?? []).length > 0;
}

function renderText(notice: MeetingNotice, when: string, sections: Section[]): string {
  const header = [
    notice.title,
    `When: ${when}`,
    `Join: ${notice.url}`,
    `Urgency: ${notice.urgency.level} (score ${notice.urgency.score})`,
    `Alerts: ${notice.alert_ids.join(', ')}`,
  ];
  const body = sections.map((section) =>
    [
      section.title.toUpperCase(),
      ...(section.paragraphs ?? []).filter((p) => p.trim() !== ''),
      ...(section.items ?? []).map((item) => `- ${item}`),
    ].join('\n'),
  );
  return [header.join('\n'), ...body].join('\n\n') + '\n';
}

function renderHtml(notice: MeetingNotice, when: string, sections: Section[]): string {
  const link = isWebLink(notice.url)
    ? `<a href="${escapeHtml(notice.url)}">${escapeHtml(notice.url)}</a>`
    : escapeHtml(notice.url);
  const header = [
    `<h1 style="font-size:20px">${escapeHtml(notice.title)}</h1>`,
    '<table role="presentation" style="border-collapse:collapse">',
    row('When', escapeHtml(when)),
    row('Join', link),
    row('Urgency', `${escapeHtml(notice.urgency.level)} (score ${escapeHtml(String(notice.urgency.score))})`),
    row('Alerts', escapeHtml(notice.alert_ids.join(', '))),
    '</table>',
  ];
  const body = sections.map((section) =>
    [
      `<h2 style="font-size:16px">${escapeHtml(section.title)}</h2>`,
      ...(section.paragraphs ?? []).filter((p) => p.trim() !== '').map((p) => `<p>${escapeHtml(p)}</p>`),
      section.items?.length ? `<ul>${section.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>` : '',
    ].join('\n'),
  );
  return [...header, ...body].join('\n');
}

function htmlDocument(parts: string[]): string {
  return `<!doctype html>\n<html><body style="font-family:sans-serif">\n${parts.join('\n')}\n</body></html>\n`;
}

function row(label: string, valueHtml: string): string {
  return `<tr><th style="text-align:left;padding-right:12px">${escapeHtml(label)}</th><td>${valueHtml}</td></tr>`;
}
