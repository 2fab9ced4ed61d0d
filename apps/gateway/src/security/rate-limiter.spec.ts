import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows the limit per minute and then names the seconds left in the window', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([undefined, undefined, undefined]);
    now += 15_000;
    expect(limiter.take('a')).toBe(45);
  });

  it('keeps clients apart', () => {
    const limiter = new RateLimiter(1, () => 0);
    expect([limiter.take('a'), limiter.take('b'), limiter.take('a')]).toEqual([undefined, undefined, 60]);
  });

  it('starts a new window after a minute', () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now);
    limiter.take('a');
    now = 60_000;
    expect(limiter.take('a')).toBeUndefined();
  });
});
