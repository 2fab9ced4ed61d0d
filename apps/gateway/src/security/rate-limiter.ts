interface Window {
  startedAt: number;
  count: number;
}

const WINDOW_MS = 60_000;
const SWEEP_THRESHOLD = 10_000;

/**
 * Fixed one-minute windows per client, counted in memory. A client past the limit is told how many
 * seconds remain until its window ends.
 */
// TODO(#4): the count lives in one process; several gateway replicas each allow the full limit.
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; returns the seconds to wait when it is over the limit, else undefined. */
  take(client: string): number | undefined {
    const now = this.now();
    if (this.windows.size > SWEEP_THRESHOLD) this.sweep(now);

    let window = this.windows.get(client);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.windows.set(client, window);
    }
    window.count += 1;
    if (window.count <= this.limitPerMinute) return undefined;
    return Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
  }

  private sweep(now: number): void {
    for (const [client, window] of this.windows) {
      if (now - window.startedAt >= WINDOW_MS) this.windows.delete(client);
    }
  }
}
