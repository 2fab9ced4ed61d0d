import { buildMeeting } from '../../testing/meeting.factory';
import { escapeSlack, renderSlackMessage, type SlackBlock } from './slack-message.renderer';

function fieldTexts(blocks: SlackBlock[]): string[] {
  const section = blocks.find((b) => b.type === 'section' && b.fields);
  return section?.type === 'section' ? (section.fields ?? []).map((f) => f.text) : [];
}

describe('escapeSlack', () => {
  it('escapes the three mrkdwn control characters and nothing else', () => {
    expect(escapeSlack('<!channel> & <@U123> "q"')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt; "q"');
  });
});

describe('renderSlackMessage', () => {
  it('leads with a header naming the change and the meeting title', () => {
    const { blocks } = renderSlackMessage('scheduled', buildMeeting());

    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: Invitation: CRITICAL: security incident on payments-api' },
    });
  });

  it('shows urgency, time, attendees and the link as fields', () => {
    const meeting = buildMeeting({ urgency: { level: 'HIGH', score: 0.8 } });

    const fields = fieldTexts(renderSlackMessage('updated', meeting).blocks);

    expect(fields).toEqual([
      '*Urgency*\nHIGH (score 0.8)',
      '*When*\nThu 3 Dec 2026, 11:00–12:00 Europe/Berlin (10:00–11:00 UTC)',
      '*Attendees*\n• Dana Reyes — Security Lead\n• Lee Park — Management\n• Sam &lt;b&gt;Okafor&lt;/b&gt; — Executive Sponsor',
      `*Link*\n<${meeting.url}|Join the meeting>`,
    ]);
  });

  it('keeps alert text from pinging the channel or forging links', () => {
    const meeting = buildMeeting({ why_scheduled: '<!channel> see <https://evil.test|docs>', title: 'T' });

    const { blocks } = renderSlackMessage('scheduled', meeting);

    const why = blocks.find((b) => b.type === 'section' && b.text);
    expect(why?.type === 'section' ? why.text?.text : undefined).toBe(
      '*Why*\n&lt;!channel&gt; see &lt;https://evil.test|docs&gt;',
    );
  });

  it('does not link a URL that is not a web address, and keeps a | in a link from cutting it short', () => {
    const unsafe = fieldTexts(renderSlackMessage('scheduled', buildMeeting({ url: 'javascript:alert(1)' })).blocks);
    const piped = fieldTexts(renderSlackMessage('scheduled', buildMeeting({ url: 'https://m.test/a|b>c' })).blocks);

    expect(unsafe[3]).toBe('*Link*\njavascript:alert(1)');
    expect(piped[3]).toBe('*Link*\n<https://m.test/a%7Cb%3Ec|Join the meeting>');
  });

  it('says a cancelled meeting is cancelled, with the reason', () => {
    const { text, blocks } = renderSlackMessage('cancelled', buildMeeting({ reason: 'alert resolved' }));

    expect(text).toMatch(/^:rotating_light: Cancelled: /);
    expect(JSON.stringify(blocks)).toContain('Reason for this change: alert resolved');
  });

  it('keeps the header within the 150 characters Slack accepts', () => {
    const { blocks } = renderSlackMessage('scheduled', buildMeeting({ title: 'x'.repeat(400) }));

    expect(blocks[0]?.type === 'header' ? blocks[0].text.text.length : 0).toBe(150);
  });
});
