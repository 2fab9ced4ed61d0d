import type { MeetingEventKind, MeetingNotice } from '../../deliveries/delivery.entity';
import { describeWhen, isWebLink, subjectPrefix } from '../meeting-wording';

/** The parts of Slack's Block Kit this message uses. */
export type SlackTextObject = { type: 'plain_text'; text: string } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: SlackTextObject; fields?: SlackTextObject[] }
  | { type: 'context'; elements: SlackTextObject[] };

export interface SlackMessage {
  /** Shown in notifications and by clients that cannot draw blocks. */
  text: string;
  blocks: SlackBlock[];
}

const HEADER_LIMIT = 150;
const TEXT_LIMIT = 3000;
const FIELD_LIMIT = 2000;

/** Slack's mrkdwn treats only these three as control characters; everything else is literal. */
export function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The channel message for a meeting event: urgency, time, attendees, the link and why it exists. */
export function renderSlackMessage(kind: MeetingEventKind, notice: MeetingNotice): SlackMessage {
  const when = describeWhen(notice);
  const heading = `${urgencyEmoji(notice)} ${subjectPrefix(kind)}: ${notice.title}`;
  const attendees = notice.attendees.map((a) => `• ${escapeSlack(a.name)} — ${escapeSlack(a.role)}`).join('\n');
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(heading, HEADER_LIMIT) } },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Urgency*\n${escapeSlack(notice.urgency.level)} (score ${notice.urgency.score})`, FIELD_LIMIT),
        mrkdwn(`*When*\n${escapeSlack(when)}`, FIELD_LIMIT),
        mrkdwn(`*Attendees*\n${attendees || '_none_'}`, FIELD_LIMIT),
        mrkdwn(
          `*Link*\n${slackLink(notice.url, kind === 'cancelled' ? 'Meeting (cancelled)' : 'Join the meeting')}`,
          FIELD_LIMIT,
        ),
      ],
    },
  ];
  const why = notice.reason
    ? `${notice.why_scheduled}\nReason for this change: ${notice.reason}`
    : notice.why_scheduled;
  if (why.trim() !== '') blocks.push({ type: 'section', text: mrkdwn(`*Why*\n${escapeSlack(why)}`, TEXT_LIMIT) });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Alerts: ${escapeSlack(notice.alert_ids.join(', '))}`, TEXT_LIMIT)],
  });

  return { text: `${heading} — ${when} — ${notice.url}`, blocks };
}

function slackLink(url: string, label: string): string {
  if (!isWebLink(url)) return escapeSlack(url);
  // Inside <url|label> a `|` or `>` in the URL would end it early; percent-encoding keeps the link intact.
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${safeUrl}|${escapeSlack(label)}>`;
}

function urgencyEmoji(notice: MeetingNotice): string {
  switch (notice.urgency.level) {
    case 'CRITICAL':
      return ':rotating_light:';
    case 'HIGH':
      return ':warning:';
    case 'MEDIUM':
      return ':large_orange_diamond:';
    case 'LOW':
      return ':information_source:';
  }
}

function mrkdwn(text: string, limit: number): SlackTextObject {
  return { type: 'mrkdwn', text: truncate(text, limit) };
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
