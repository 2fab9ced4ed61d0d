/**
 * Polls `probe` until it gives a value, and returns it; fails naming `what` once `timeoutMs` has
 * passed. A probe that throws counts as "not yet" only when `tolerateErrors` is set.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what = 'condition',
  { intervalMs = 250, tolerateErrors = false } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = tolerateErrors ? await probe().catch(() => undefined) : await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
