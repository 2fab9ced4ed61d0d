import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ALERT_STATUSES, MEETING_STATUSES, SEVERITIES, URGENCY_LEVELS } from '#libs/contracts';
import { GatewayError } from '../errors/gateway.exception';
import { ProblemDto } from '../webhook/webhook-responses.dto';
import type { QueryParameters } from './audit-query.port';

export interface ParameterDoc {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

// The audit service validates these parameters; the gateway only documents them and forwards the
// ones a route takes, so there is one set of rules and the two can never disagree about a value.
const PARAMETERS = {
  limit: {
    name: 'limit',
    description: 'Items per page, 1 to 100.',
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
  cursor: {
    name: 'cursor',
    description: 'The `next_cursor` of the previous page.',
    schema: { type: 'string' },
  },
  severity: { name: 'severity', description: 'Only alerts of this severity.', schema: { enum: [...SEVERITIES] } },
  alert_type: {
    name: 'alert_type',
    description: 'Only alerts of this type, e.g. `security_incident`.',
    schema: { type: 'string' },
  },
  alert_status: {
    name: 'status',
    description: 'Only firing or only resolved alerts.',
    schema: { enum: [...ALERT_STATUSES] },
  },
  meeting_status: {
    name: 'status',
    description: 'Only meetings in this state.',
    schema: { enum: [...MEETING_STATUSES] },
  },
  urgency: {
    name: 'urgency',
    description: 'Only meetings of this urgency level, in any case.',
    schema: { enum: [...URGENCY_LEVELS] },
  },
  from: {
    name: 'from',
    description: 'Received at or after this ISO 8601 instant.',
    schema: { type: 'string', format: 'date-time' },
  },
  to: {
    name: 'to',
    description: 'Received before this ISO 8601 instant.',
    schema: { type: 'string', format: 'date-time' },
  },
  days: {
    name: 'days',
    description: 'Window in days back from now, 1 to 3650.',
    schema: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
  },
} satisfies Record<string, ParameterDoc>;

export const ALERT_LIST_PARAMETERS: readonly ParameterDoc[] = [
  PARAMETERS.limit,
  PARAMETERS.cursor,
  PARAMETERS.severity,
  PARAMETERS.alert_type,
  PARAMETERS.alert_status,
  PARAMETERS.from,
  PARAMETERS.to,
];
export const MEETING_LIST_PARAMETERS: readonly ParameterDoc[] = [
  PARAMETERS.limit,
  PARAMETERS.cursor,
  PARAMETERS.meeting_status,
  PARAMETERS.urgency,
  PARAMETERS.from,
  PARAMETERS.to,
];
export const LIST_REPORT_PARAMETERS: readonly ParameterDoc[] = [PARAMETERS.limit];
export const WINDOW_REPORT_PARAMETERS: readonly ParameterDoc[] = [PARAMETERS.days];

/** Documents each parameter as optional, and the 400 that answers an invalid one. */
export function ApiQueryParameters(parameters: readonly ParameterDoc[]): MethodDecorator {
  return applyDecorators(
    ...parameters.map((parameter) =>
      ApiQuery({ name: parameter.name, description: parameter.description, required: false, schema: parameter.schema }),
    ),
    ApiResponse({
      status: 400,
      description: 'QUERY.INVALID, naming each invalid parameter in `errors`.',
      schema: { $ref: getSchemaPath(ProblemDto) },
    }),
  );
}

/** The problems every read route can answer besides its own. */
export function ApiReadProblems(): MethodDecorator & ClassDecorator {
  const problem = { $ref: getSchemaPath(ProblemDto) };
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ApiResponse({ status: 401, description: 'No X-API-Key where reads need one.', schema: problem }),
    ApiResponse({ status: 403, description: 'Key not accepted.', schema: problem }),
    ApiResponse({ status: 503, description: 'AUDIT.UNAVAILABLE: the audit service did not answer.', schema: problem }),
  );
}

/** The parameters of `query` that a route takes; anything else the caller sent is not forwarded. */
export function pickParameters(query: QueryParameters, parameters: readonly ParameterDoc[]): QueryParameters {
  const picked: Record<string, string | string[]> = {};
  for (const { name } of parameters) {
    const value = query[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** The gateway's answer to parameters of a route taking `parameters` that the audit service rejected. */
export function invalidQueryError(fields: readonly string[], parameters: readonly ParameterDoc[]): GatewayError {
  const names = fields.length > 0 ? fields.join(', ') : 'unknown';
  return new GatewayError('QUERY.INVALID', `Invalid query parameter(s): ${names}.`, {
    errors: fields.map((field) => ({ field, message: messageFor(field, parameters) })),
  });
}

function messageFor(field: string, parameters: readonly ParameterDoc[]): string {
  const doc = parameters.find((parameter) => parameter.name === field);
  if (!doc) return `${field} is not valid.`;
  const allowed = doc.schema.enum;
  if (Array.isArray(allowed)) return `${field} must be one of ${allowed.join(', ')}.`;
  return `${field} is not valid: ${doc.description}`;
}
