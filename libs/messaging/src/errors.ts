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

// Class 08 (connection exception) and 57P01-57P03 (shutdown, crash, starting up) of PostgreSQL, and
// the socket errors and pg/TypeORM messages of a connection that is gone or cannot be made.
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123])/;
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect/i;

/** Whether `error`, or an error it wraps, says the database cannot be reached rather than that the work failed. */
export function databaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  if (UNAVAILABLE_MESSAGE.test(error.message)) return true;
  const wrapped = (error as { driverError?: unknown }).driverError ?? error.cause;
  return databaseUnavailable(wrapped, depth + 1);
}
