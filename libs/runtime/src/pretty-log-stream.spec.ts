import { loadEnv } from '#libs/config';
import { ConveneLogger } from './convene-logger';
import { formatLogLine } from './pretty-log-stream';

describe('formatLogLine', () => {
  it('shows time, level, context and message first, then the other fields as key=value', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-12-04T06:21:52.802Z',
      pid: 1,
      hostname: 'vm',
      context: 'DeliveryWorker',
      msg: 'delivery will be retried',
      alert_id: 'SEC-1',
      attempts: 2,
      channel: { name: 'email' },
    });

    expect(formatLogLine(line)).toBe(
      '06:21:52.802 WARN  [DeliveryWorker] delivery will be retried alert_id=SEC-1 attempts=2 channel={"name":"email"}',
    );
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('plain text\n')).toBe('plain text');
  });
});

describe('ConveneLogger with LOG_FORMAT=pretty', () => {
  it('writes readable text to stdout, with secrets still redacted', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      new ConveneLogger(loadEnv({ LOG_FORMAT: 'pretty' }), 'gateway').log({ msg: 'alert accepted', api_key: 'k-9' });
    } finally {
      spy.mockRestore();
    }

    expect(writes.join('')).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[gateway\] alert accepted api_key=\[redacted\]\n$/,
    );
  });
});
