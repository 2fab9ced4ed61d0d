import { MEETING_ID_PATTERN, newMeetingId } from './meeting-id';

describe('newMeetingId', () => {
  it('gives mtg_ and 26 base32 characters (128 random bits), never repeating', () => {
    const ids = Array.from({ length: 2_000 }, () => newMeetingId());

    expect(ids.every((id) => MEETING_ID_PATTERN.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
