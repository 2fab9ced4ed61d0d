import { EXAMPLE_PAYLOADS } from './examples';
import { type Topic, TOPICS } from './events';
import { isValidPayload, payloadProblems, preparePayloadValidators } from './payload-validator';

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

  it('checks payloads the same after the topics were prepared up front', () => {
    preparePayloadValidators(['alert.received', 'meeting.scheduled']);

    expect(payloadProblems('alert.received', EXAMPLE_PAYLOADS['alert.received'])).toEqual([]);
    expect(isValidPayload('meeting.scheduled', { meeting_id: 'mtg_1' })).toBe(false);
  });
});
