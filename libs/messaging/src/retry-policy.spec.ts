import { backoffDelay, mayRetry, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000, budgetMs: 3_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling with every attempt and keeps the delay in its upper half', () => {
    expect([1, 2, 3].map((attempt) => backoffDelay(policy, attempt, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((attempt) => backoffDelay(policy, attempt, () => 1))).toEqual([100, 200, 400]);
  });

  it('never exceeds the maximum delay however many attempts were made', () => {
    expect(backoffDelay(policy, 30, () => 1)).toBe(1_000);
  });
});

describe('mayRetry', () => {
  it('allows another attempt while attempts and budget remain', () => {
    expect(mayRetry(policy, 1, 0, 100)).toBe(true);
  });

  it('refuses once the last attempt was made', () => {
    expect(mayRetry(policy, 5, 0, 100)).toBe(false);
  });

  it('refuses when the pause would end after the budget, so a poison message cannot hold its partition', () => {
    expect(mayRetry(policy, 2, 2_950, 100)).toBe(false);
  });
});
