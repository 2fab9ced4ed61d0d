import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FieldError, GatewayError, type GatewayErrorCode } from './gateway.exception';

/** An RFC 9457 problem document with Convene's stable `code` and, for validation, the failing fields. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: GatewayErrorCode;
  errors?: FieldError[];
}

const STATUS_BY_CODE: Record<GatewayErrorCode, [number, string]> = {
  'AUTH.API_KEY_MISSING': [401, 'API key missing'],
  'AUTH.API_KEY_INVALID': [403, 'API key not accepted'],
  'ALERT.TIMESTAMP_MISSING': [401, 'Webhook timestamp missing'],
  'ALERT.TIMESTAMP_OUT_OF_WINDOW': [401, 'Webhook timestamp outside the accepted window'],
  'ALERT.SIGNATURE_MISSING': [401, 'Webhook signature missing'],
  'ALERT.SIGNATURE_INVALID': [401, 'Webhook signature invalid'],
  'ALERT.REPLAYED': [409, 'Webhook delivery replayed'],
  'ALERT.UNSUPPORTED_MEDIA_TYPE': [415, 'Unsupported media type'],
  'ALERT.BODY_TOO_LARGE': [413, 'Request body too large'],
  'ALERT.MALFORMED_JSON': [400, 'Malformed JSON'],
  'ALERT.INVALID': [422, 'Alert failed validation'],
  'ALERT.NOT_FOUND': [404, 'Alert not found'],
  'MEETING.NOT_FOUND': [404, 'Meeting not found'],
  'QUERY.INVALID': [400, 'Invalid query'],
  'RATE_LIMIT.EXCEEDED': [429, 'Too many requests'],
  'AUDIT.UNAVAILABLE': [503, 'Audit service unavailable'],
  'STORE.UNAVAILABLE': [503, 'Alert store unavailable'],
  'HTTP.BAD_REQUEST': [400, 'Bad request'],
  'HTTP.NOT_FOUND': [404, 'Not found'],
  'HTTP.METHOD_NOT_ALLOWED': [405, 'Method not allowed'],
  'HTTP.ERROR': [400, 'Request rejected'],
  INTERNAL: [500, 'Internal error'],
};

/** The HTTP status the edge answers a code with. */
export function statusOf(code: GatewayErrorCode): number {
  return STATUS_BY_CODE[code][0];
}

/**
 * Maps every error that reaches the HTTP edge, including Fastify's own (body too large, bad media
 * type) and Nest's (no such route), to `application/problem+json`. Details are fixed texts or
 * messages written for callers; stack traces and unexpected messages stay in the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** The request and response are Fastify's in handlers and raw Node objects in middleware; the adapter takes both. */
  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const request: unknown = http.getRequest();
    const response: unknown = http.getResponse();
    const path = String(adapter.getRequestUrl(request)).split('?')[0] || '/';
    const error = this.toGatewayError(exception, String(adapter.getRequestMethod(request)), path);

    const status = statusOf(error.code);
    const problem: ProblemDetails = {
      type: `urn:convene:problem:${error.code.toLowerCase()}`,
      title: STATUS_BY_CODE[error.code][1],
      status,
      detail: error.detail,
      instance: path,
      code: error.code,
      ...(error.extras.errors ? { errors: error.extras.errors } : {}),
    };
    if (error.extras.retryAfterSeconds !== undefined) {
      adapter.setHeader(response, 'retry-after', String(error.extras.retryAfterSeconds));
    }
    adapter.setHeader(response, 'content-type', 'application/problem+json; charset=utf-8');
    adapter.reply(response, JSON.stringify(problem), status);
  }

  private toGatewayError(exception: unknown, method: string, path: string): GatewayError {
    if (exception instanceof GatewayError) return exception;
    const status = httpStatusOf(exception);
    if (status !== undefined && status < 500) return fromHttpStatus(status, exception);

    this.logger.error({
      msg: 'unhandled error',
      method,
      path,
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    return new GatewayError('INTERNAL', 'The request could not be completed; it has been logged.');
  }
}

function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
    const statusCode = exception.statusCode;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

function fromHttpStatus(status: number, exception: unknown): GatewayError {
  const fastifyCode = fastifyErrorCode(exception);
  if (status === 413 || fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new GatewayError('ALERT.BODY_TOO_LARGE', 'The body exceeds 1 MB.');
  }
  if (status === 415) return new GatewayError('ALERT.UNSUPPORTED_MEDIA_TYPE', 'Send application/json.');
  if (status === 404) return new GatewayError('HTTP.NOT_FOUND', 'No such resource.');
  if (status === 405) return new GatewayError('HTTP.METHOD_NOT_ALLOWED', 'Method not allowed on this resource.');
  if (status === 400) return new GatewayError('HTTP.BAD_REQUEST', 'The request could not be read.');
  return new GatewayError('HTTP.ERROR', `The request was rejected (${status}).`);
}

function fastifyErrorCode(exception: unknown): string | undefined {
  const cause = exception instanceof HttpException ? exception.cause : exception;
  if (typeof cause === 'object' && cause !== null && 'code' in cause) {
    const code = cause.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
