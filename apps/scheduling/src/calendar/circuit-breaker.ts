import type { Clock } from '../slots/clock';

type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * Stops calling a dependency after `threshold` consecutive failures, for `cooldownMs`; then lets one
 * trial call through, which closes the circuit on success or reopens it on failure.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly clock: Clock,
  ) {}

  allowsRequest(): boolean {
    if (this.state !== 'open') return true;
    if (this.clock.now().getTime() - this.openedAt < this.cooldownMs) return false;
    this.state = 'half_open';
    return true;
  }

  recordSuccess(): void {
    this.state = 'closed';
    this.failures = 0;
  }

  recordFailure(): void {
    this.failures += 1;
    if (this.state === 'half_open' || this.failures >= this.threshold) {
      this.state = 'open';
      this.openedAt = this.clock.now().getTime();
    }
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }
}
