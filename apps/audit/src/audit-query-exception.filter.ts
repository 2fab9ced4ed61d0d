import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuditQueryException } from './audit-query.exception';

const STATUS = { 'AUDIT.QUERY_INVALID': 400, 'AUDIT.NOT_FOUND': 404 } as const;

/** Answers an AuditQueryException as RFC 9457 problem details carrying the error code. */
@Catch(AuditQueryException)
export class AuditQueryExceptionFilter implements ExceptionFilter<AuditQueryException> {
  catch(exception: AuditQueryException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = STATUS[exception.code];
    void reply
      .status(status)
      .header('Content-Type', 'application/problem+json')
      .send({
        type: 'about:blank',
        title: status === 400 ? 'Bad Request' : 'Not Found',
        status,
        detail: exception.message,
        code: exception.code,
        ...(exception.fields.length > 0 ? { invalid_params: exception.fields.map((name) => ({ name })) } : {}),
      });
  }
}
