import { EXAMPLE_PAYLOADS } from './examples';
import { type Topic, TOPICS } from './events';
import type * as PayloadValidator from './payload-validator';
import { isValidPayload, payloadProblems } from './payload-validator';

describe('payloadProblems', () => {
  it.each(TOPICS)('accepts the example payload of %s', (topic) => {
    expect(payloadProblems(topic, EXAMPLE_PAYLOADS[topic])).toEqual([]);
  });

  it('names the field when an alert severity is outside the allowed values', () => {
    const received = EXAMPLE_PAYLOADS['alert.received'];
    const invalid = { ...received, alert: { ...received.alert, severity: 'catastrophic' } };

    expect(payloadProblems('alert.received', invalid)).toEqual([
      '/alert/severity must be equal to one of the allowed values',
    ]);
  });

  it('rejects a meeting.scheduled payload without a meeting id', () => {
    const { meeting_id: _omitted, ...withoutId } = EXAMPLE_PAYLOADS['meeting.scheduled'];

    expect(isValidPayload('meeting.scheduled', withoutId)).toBe(false);
  });

  it('rejects a timestamp that is not ISO 8601', () => {
    const invalid = { ...EXAMPLE_PAYLOADS['notification.delivered'], at: 'yesterday' };

    expect(payloadProblems('notification.delivered', invalid)).toEqual(['/at must match format "date-time"']);
  });

  it.each(['alert.archived', 'constructor', '__proto__'])(
    'answers an unknown topic %p with a problem, not a throw',
    (topic) => {
      expect(payloadProblems(topic as Topic, {})).toEqual([`unknown topic ${topic}`]);
    },
  );

  it('compiles each prepared topic once, and checks its payloads as before', () => {
    jest.isolateModules(() => {
      // A module instance of its own: the tests above compiled every topic in the shared one.
      const fresh = jest.requireActual<typeof PayloadValidator>('./payload-validator');

      expect(fresh.preparePayloadValidators(['alert.received', 'meeting.scheduled', 'alert.received'])).toEqual([
        'alert.received',
        'meeting.scheduled',
      ]);
      expect(fresh.preparePayloadValidators(['alert.received', 'alert.analyzed'])).toEqual(['alert.analyzed']);
      expect(fresh.payloadProblems('alert.received', EXAMPLE_PAYLOADS['alert.received'])).toEqual([]);
      expect(fresh.isValidPayload('meeting.scheduled', { meeting_id: 'mtg_1' })).toBe(false);
    });
  });
});
