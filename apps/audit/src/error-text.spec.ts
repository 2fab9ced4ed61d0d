import { scrubErrorText } from './error-text';

describe('scrubErrorText', () => {
  it('keeps only the scheme and host of a URL with credentials, a path or a query', () => {
    const text = scrubErrorText(
      'POST https://hooks.slack.com/services/T000/B000/slack-token-path failed; ' +
        'db postgres://convene:hunter2@db:5432/convene',
    );

    expect(text).toBe('POST https://hooks.slack.com/[redacted] failed; db postgres://db:5432/[redacted]');
  });

  it('replaces bearer tokens and values whose name says key, secret, token or password', () => {
    const text = scrubErrorText('401 with Bearer sk-abc.def api_key=sk-123 password: "p w" x-api-key=k1, code=42');

    expect(text).toBe(
      '401 with Bearer [redacted] api_key=[redacted] password: [redacted] x-api-key=[redacted], code=42',
    );
  });

  it('leaves a plain message as it is and cuts a long one to 240 characters', () => {
    expect(scrubErrorText('SLOT.NONE_FREE: no free slot in the window')).toBe(
      'SLOT.NONE_FREE: no free slot in the window',
    );
    expect(scrubErrorText('x'.repeat(1000))).toHaveLength(240);
  });
});
