import { alertFactory } from '../../../../test/support/webhook';
import { parseAlertPayload } from './alert-payload.parser';

const parse = (text: string) => parseAlertPayload(Buffer.from(text, 'utf8'));

/** A valid alert body whose context is `contextJson`, spliced in as written. */
function withContext(contextJson: string): string {
  return JSON.stringify(alertFactory({ context: { marker: 1 } })).replace('{"marker":1}', contextJson);
}

describe('parseAlertPayload', () => {
  it.each([
    ['spelt out', '{"region":"eu","__proto__":{"polluted":true}}'],
    ['with escaped letters', '{"region":"eu","\\u005f\\u005fpr\\u006fto__":{"polluted":true}}'],
    ['nested', '{"region":"eu","inner":{"__proto__":{"polluted":true}}}'],
  ])('drops a __proto__ key %s, leaving the prototype alone', (_case, context) => {
    const alert = parse(withContext(context));
    const parsed = alert.context;
    expect(parsed.region).toBe('eu');
    expect(Object.prototype.hasOwnProperty.call(parsed, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect({ ...parsed }).not.toHaveProperty('polluted');
    expect(JSON.stringify(parsed)).not.toContain('polluted');
  });

  it('keeps every field of an ordinary body, escapes included', () => {
    const body = alertFactory({ description: 'Caf\u00e9 \u2014 disk "full"', context: { proto_version: 3 } });
    const alert = parse(JSON.stringify(body));
    expect(alert.description).toBe('Café — disk "full"');
    expect(alert.context).toEqual({ proto_version: 3 });
    expect(alert.alert_id).toBe(body.alert_id);
  });
});
