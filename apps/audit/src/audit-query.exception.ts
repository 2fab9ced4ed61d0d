export type AuditQueryErrorCode = 'AUDIT.QUERY_INVALID' | 'AUDIT.NOT_FOUND';

/** A query the audit service cannot answer; the HTTP edge maps the code to 400 or 404. */
export class AuditQueryException extends Error {
  constructor(
    readonly code: AuditQueryErrorCode,
    message: string,
    /** The query parameters at fault, for AUDIT.QUERY_INVALID. */
    readonly fields: string[] = [],
  ) {
    super(message);
    this.name = AuditQueryException.name;
  }
}
