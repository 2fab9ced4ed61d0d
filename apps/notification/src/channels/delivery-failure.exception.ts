/**
 * A send that did not go through. `permanent` failures (bad address, SMTP 5xx, HTTP 4xx) are
 * recorded as failed at once; the others are retried with backoff. The message is short and
 * never carries a secret (webhook URLs and API keys stay out of it).
 */
export class DeliveryFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }

  static transient(code: string, message: string): DeliveryFailure {
    return new DeliveryFailure(code, message, false);
  }

  static permanent(code: string, message: string): DeliveryFailure {
    return new DeliveryFailure(code, message, true);
  }
}
