/** Every failure the gateway reports, as a stable string code; the HTTP edge maps each to a status. */
export const GATEWAY_ERROR_CODES = [
  'AUTH.API_KEY_MISSING',
  'AUTH.API_KEY_INVALID',
  'ALERT.TIMESTAMP_MISSING',
  'ALERT.TIMESTAMP_OUT_OF_WINDOW',
  'ALERT.SIGNATURE_MISSING',
  'ALERT.SIGNATURE_INVALID',
  'ALERT.REPLAYED',
  'ALERT.UNSUPPORTED_MEDIA_TYPE',
  'ALERT.BODY_TOO_LARGE',
  'ALERT.MALFORMED_JSON',
  'ALERT.INVALID',
  'ALERT.NOT_FOUND',
  'MEETING.NOT_FOUND',
  'QUERY.INVALID',
  'RATE_LIMIT.EXCEEDED',
  'AUDIT.UNAVAILABLE',
  'STORE.UNAVAILABLE',
  'HTTP.BAD_REQUEST',
  'HTTP.NOT_FOUND',
  'HTTP.METHOD_NOT_ALLOWED',
  'HTTP.ERROR',
  'INTERNAL',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export interface FieldError {
  field: string;
  message: string;
}

/**
 * A failure with a stable code and a detail safe to show the caller. It says nothing about HTTP;
 * the problem-details filter decides the status.
 */
export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.name = 'GatewayError';
  }
}
