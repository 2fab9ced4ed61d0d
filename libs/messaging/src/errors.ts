/**
 * How a consumer failure is handled. Retriable failures (network, timeout, 5xx, lock) are retried
 * with backoff up to the budget; permanent ones (validation, unknown type) go to the dead-letter
 * topic at once. A handler throws one of these, or any other error, which counts as retriable.
 */
export abstract class ConsumerError extends Error {
  abstract readonly retriable: boolean;

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class RetriableError extends ConsumerError {
  readonly retriable = true;
}

export class PermanentError extends ConsumerError {
  readonly retriable = false;
}
