import { EVENT_CATALOGUE, EXAMPLE_PAYLOADS, TOPICS } from '#libs/contracts';
import { decodeEvent, encodeEvent } from './cloud-event';
import { PermanentError } from './errors';
import type { ConveneEvent } from './event';

const event: ConveneEvent<'alert.received'> = {
  id: '3c1f9a3e-0f5e-4b8e-9d7a-1b2c3d4e5f60',
  topic: 'alert.received',
  type: 'com.convene.alert.received.v1',
  source: '/convene/gateway',
  time: '2026-12-03T09:12:03.000Z',
  subject: 'chainsync-2026-0042',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: null,
  data: EXAMPLE_PAYLOADS['alert.received'],
};

function permanentCode(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof PermanentError ? error.code : 'not permanent';
  }
}

describe('encodeEvent', () => {
  it('puts the CloudEvents attributes in ce_ headers and keys the message by alert id', () => {
    const message = encodeEvent(event);

    expect(message).toMatchObject({ topic: 'alert.received', key: 'chainsync-2026-0042' });
    expect(message.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: 'com.convene.alert.received.v1',
      ce_source: '/convene/gateway',
      ce_subject: 'chainsync-2026-0042',
      ce_datacontenttype: 'application/json',
      ce_traceparent: event.traceparent,
    });
    expect(JSON.parse(message.value)).toEqual(event.data);
  });
});

describe('decodeEvent', () => {
  it('returns the event that was encoded', () => {
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it.each(TOPICS)('decodes, validating strictly, what encodeEvent writes for %s', (topic) => {
    const sent = { ...event, topic, type: EVENT_CATALOGUE[topic].type, data: EXAMPLE_PAYLOADS[topic] } as ConveneEvent;
    expect(decodeEvent(encodeEvent(sent))).toEqual(sent);
  });

  it('rejects a message without CloudEvents headers as malformed', () => {
    const message = { ...encodeEvent(event), headers: {} };

    expect(permanentCode(() => decodeEvent(message))).toBe('MESSAGING.MALFORMED');
  });

  it('rejects a type that does not travel on the topic', () => {
    const encoded = encodeEvent(event);
    const message = { ...encoded, headers: { ...encoded.headers, ce_type: 'com.convene.alert.received.v9' } };

    expect(permanentCode(() => decodeEvent(message))).toBe('MESSAGING.UNKNOWN_TYPE');
  });

  it('rejects a payload that breaks the schema', () => {
    const message = { ...encodeEvent(event), value: JSON.stringify({ revision: 'one' }) };

    expect(permanentCode(() => decodeEvent(message))).toBe('MESSAGING.INVALID_PAYLOAD');
  });

  it('rejects a value that is not JSON', () => {
    const message = { ...encodeEvent(event), value: '{not json' };

    expect(permanentCode(() => decodeEvent(message))).toBe('MESSAGING.MALFORMED');
  });
});
