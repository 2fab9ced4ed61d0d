import { loadEnv } from '#libs/config';
import { ConveneLogger, redact } from './convene-logger';

describe('ConveneLogger', () => {
  function captureStdout(work: () => void): string {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      work();
    } finally {
      spy.mockRestore();
    }
    return writes.join('');
  }

  it('writes a structured message as top-level JSON fields with secrets redacted', () => {
    const logger = new ConveneLogger(loadEnv({ LOG_FORMAT: 'json' }), 'gateway');

    const line = captureStdout(() =>
      logger.log({
        msg: 'alert accepted',
        alert_id: 'SEC-1',
        api_key: 'k-123',
        headers: { 'x-webhook-signature': 'abc' },
      }),
    );
    const parsed = JSON.parse(line) as Record<string, unknown>;

    expect(parsed).toMatchObject({ level: 'log', message: 'alert accepted', alert_id: 'SEC-1', context: 'gateway' });
    expect(parsed.api_key).toBe('[redacted]');
    expect(line).not.toContain('k-123');
    expect(line).not.toContain('"abc"');
  });

  it('keeps Nest start-up lines out of the info level', () => {
    const logger = new ConveneLogger(loadEnv({ LOG_FORMAT: 'json', LOG_LEVEL: 'info' }), 'gateway');

    const output = captureStdout(() => logger.log('AppModule dependencies initialized', 'InstanceLoader'));

    expect(output).toBe('');
  });
});

describe('redact', () => {
  it('replaces secret-looking keys at any depth and leaves the rest', () => {
    expect(
      redact({ alert_id: 'A', nested: { WEBHOOK_SECRET_KEY: 's', password: 'p', note: 'ok' }, body: '{"x":1}' }),
    ).toEqual({
      alert_id: 'A',
      nested: { WEBHOOK_SECRET_KEY: '[redacted]', password: '[redacted]', note: 'ok' },
      body: '[redacted]',
    });
  });
});
