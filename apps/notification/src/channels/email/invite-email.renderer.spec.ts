import { buildMeeting } from '../../testing/meeting.factory';
import { escapeHtml, personaliseInviteEmail, prepareInviteEmail, renderInviteEmail } from './invite-email.renderer';

describe('escapeHtml', () => {
  it('replaces the five characters that can break out of HTML text or attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('renderInviteEmail', () => {
  const hostile = buildMeeting({
    title: 'Outage <img src=x onerror=alert(1)>',
    why_scheduled: 'Because "quotes" & <b>tags</b>',
    agenda: ['<script>steal()</script>', 'Decide'],
    pre_meeting_summary: 'Summary with <iframe>',
    root_cause: 'Root <cause>',
    url: 'javascript:alert(1)',
    compliance: {
      overall_status: 'violation_detected',
      risk_level: 'high',
      frameworks: [{ framework: 'SOX<1>', status: 'at_risk', findings: ['find <me>'], violations: ['break <me>'] }],
      regulatory_deadlines: [{ framework: 'GDPR', obligation: 'Tell <them>', due_at: '2026-12-06T09:00:00Z' }],
    },
  });

  it('escapes every value taken from the alert or the AI agents in the HTML part', () => {
    const { html } = renderInviteEmail('scheduled', hostile, 'dana@example.com');

    expect(html).not.toMatch(/<(script|img|iframe|cause|me|them|b>)/);
    expect(html).toContain('Outage &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Because &quot;quotes&quot; &amp; &lt;b&gt;tags&lt;/b&gt;');
    expect(html).toContain('<li>&lt;script&gt;steal()&lt;/script&gt;</li>');
    expect(html).toContain('<li>SOX&lt;1&gt; violation: break &lt;me&gt;</li>');
  });

  it('does not turn a non-web meeting link into a clickable href', () => {
    const { html } = renderInviteEmail('scheduled', hostile, 'dana@example.com');

    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('javascript:alert(1)');
  });

  it('puts why, agenda, summary, root cause, compliance and deadlines in the text part', () => {
    const { text } = renderInviteEmail('scheduled', buildMeeting(), 'dana@example.com');

    expect(text).toContain('WHY THIS MEETING\nPrivileged logins');
    expect(text).toContain('AGENDA\n- Contain the intrusion\n- Decide on customer notice');
    expect(text).toContain('PRE-MEETING SUMMARY\nThree admin sessions from an unknown ASN.');
    expect(text).toContain('ROOT CAUSE\nA leaked CI token with admin scope.');
    expect(text).toContain('Overall status: violation_detected, risk critical.');
    expect(text).toContain('- PCI-DSS violation: Req 7.2');
    expect(text).toContain('- GDPR: Notify the authority — due Sun 6 Dec 2026, 10:00 Europe/Berlin');
  });

  it('greets the attendee by name and says why they are invited', () => {
    const { text } = renderInviteEmail('scheduled', buildMeeting(), 'DANA@example.com');

    expect(text).toMatch(/^Hello Dana Reyes,\nYou are invited as Security Lead because you own this kind of alert\./);
  });

  it('marks updates and cancellations in the subject and says why', () => {
    const meeting = buildMeeting({ reason: 'alert resolved' });

    const updated = renderInviteEmail('updated', meeting, 'dana@example.com');
    const cancelled = renderInviteEmail('cancelled', meeting, 'dana@example.com');

    expect(updated.subject).toMatch(/^\[CRITICAL\] Updated invitation: /);
    expect(cancelled.subject).toMatch(/^\[CRITICAL\] Cancelled: /);
    expect(cancelled.text).toContain(
      'This meeting is cancelled; it has been removed from your calendar. Reason: alert resolved.',
    );
  });

  it('keeps a title with line breaks from injecting headers into the subject', () => {
    const { subject } = renderInviteEmail('scheduled', buildMeeting({ title: 'A\r\nBcc: victim@example.com' }), 'x@y');

    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('leaves out sections that have nothing to say', () => {
    const meeting = buildMeeting({
      agenda: [],
      root_cause: ' ',
      compliance: { overall_status: 'not_assessed', risk_level: 'low', frameworks: [], regulatory_deadlines: [] },
    });

    const { text, html } = renderInviteEmail('scheduled', meeting, 'dana@example.com');

    expect(text).not.toContain('AGENDA');
    expect(text).not.toContain('ROOT CAUSE');
    expect(text).not.toContain('REGULATORY DEADLINES');
    expect(html).not.toContain('Regulatory deadlines');
  });
});

describe('personaliseInviteEmail', () => {
  it('greets each attendee of one prepared template by name and gives them the same subject and body', () => {
    const template = prepareInviteEmail('scheduled', buildMeeting());

    const dana = personaliseInviteEmail(template, 'dana@example.com');
    const lee = personaliseInviteEmail(template, 'lee@example.com');

    expect(dana.text).toMatch(/^Hello Dana Reyes,\nYou are invited as Security Lead/);
    expect(lee.text).toMatch(/^Hello Lee Park,\nYou are invited as Management/);
    expect(lee.html).toContain('<p>Hello Lee Park,</p>');
    expect(lee.html).not.toContain('Dana Reyes,');
    expect(dana.subject).toBe(lee.subject);
    expect(dana.text.slice(dana.text.indexOf('\n\n'))).toBe(lee.text.slice(lee.text.indexOf('\n\n')));
  });
});
