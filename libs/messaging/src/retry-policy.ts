/** How long a consumer keeps trying one message before it dead-letters it. */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Wall-clock limit for one message, so a poison message never holds its partition longer. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  budgetMs: 30_000,
};

/**
 * The pause before attempt `attempt + 1`: exponential, capped, with the upper half jittered so consumers that
 * failed together do not retry together.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Whether another attempt fits: attempts left and the pause ends inside the budget. */
export function mayRetry(policy: RetryPolicy, attempt: number, elapsedMs: number, delayMs: number): boolean {
  return attempt < policy.maxAttempts && elapsedMs + delayMs <= policy.budgetMs;
}
