import { EXAMPLE_PAYLOADS } from './examples';
import { TOPICS } from './events';
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
});
