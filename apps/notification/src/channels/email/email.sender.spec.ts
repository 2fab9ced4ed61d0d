import { classifySmtpError, inviteMethod, stableMessageId } from './email.sender';

describe('classifySmtpError', () => {
  it('treats a 5xx reply as permanent', () => {
    const failure = classifySmtpError(
      Object.assign(new Error('rejected'), {
        code: 'EENVELOPE',
        responseCode: 550,
        response: '550 No such user',
        permanent: true,
      }),
    );

    expect([failure.permanent, failure.code, failure.message]).toEqual([true, 'SMTP.550', 'SMTP 550 550 No such user']);
  });

  it('treats a 4xx reply as transient', () => {
    const failure = classifySmtpError(
      Object.assign(new Error('later'), {
        code: 'EMESSAGE',
        responseCode: 451,
        response: '451 Try later',
        permanent: false,
      }),
    );

    expect([failure.permanent, failure.code]).toEqual([false, 'SMTP.451']);
  });

  it('treats a refused or dropped connection as transient', () => {
    expect(classifySmtpError(Object.assign(new Error('x'), { code: 'ESOCKET' })).permanent).toBe(false);
    expect(classifySmtpError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).permanent).toBe(false);
  });

  it('treats an address nodemailer cannot put in the envelope as permanent', () => {
    expect(classifySmtpError(Object.assign(new Error('No recipients defined'), { code: 'EENVELOPE' })).permanent).toBe(
      true,
    );
  });
});

describe('stableMessageId', () => {
  const version = { meeting_id: 'mtg_1', meeting_sequence: 3, event_kind: 'updated' as const };

  it('is the same for the same meeting version and recipient', () => {
    expect(stableMessageId({ ...version, recipient: 'a@x.test' }, 'convene.test')).toBe(
      stableMessageId({ ...version, recipient: 'a@x.test' }, 'convene.test'),
    );
  });

  it('differs between recipients and between versions, and does not reveal the address', () => {
    const first = stableMessageId({ ...version, recipient: 'a@x.test' }, 'convene.test');

    expect(stableMessageId({ ...version, recipient: 'b@x.test' }, 'convene.test')).not.toBe(first);
    expect(stableMessageId({ ...version, meeting_sequence: 4, recipient: 'a@x.test' }, 'convene.test')).not.toBe(first);
    expect(first).toMatch(/^<mtg_1\.3\.updated\.[0-9a-f]{16}@convene\.test>$/);
  });
});

describe('inviteMethod', () => {
  it('cancels on cancellation and requests otherwise', () => {
    expect([inviteMethod('scheduled'), inviteMethod('updated'), inviteMethod('cancelled')]).toEqual([
      'REQUEST',
      'REQUEST',
      'CANCEL',
    ]);
  });
});
