import { preferredWaitSeconds } from './meeting-wait.service';

describe('preferredWaitSeconds', () => {
  it.each([
    [undefined, undefined],
    ['respond-async', undefined],
    ['wait=5', 5],
    ['respond-async, wait=12', 12],
    ['wait=600', 30],
    ['wait=abc', undefined],
    [['handling=lenient', 'wait=3'], 3],
  ])('reads %p as %p', (header, seconds) => {
    expect(preferredWaitSeconds(header)).toBe(seconds);
  });
});
