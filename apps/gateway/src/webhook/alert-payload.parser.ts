import { validateSync, type ValidationError } from 'class-validator';
import { type Alert, payloadProblems } from '#libs/contracts';
import { type FieldError, GatewayError } from '../errors/gateway.exception';
import { ALERT_PAYLOAD_FIELDS, AlertPayloadDto } from './alert-payload.dto';

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** Rejects any body that does not declare itself JSON; the webhook takes nothing else. */
export function assertJsonMediaType(contentType: string | undefined): void {
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw new GatewayError('ALERT.UNSUPPORTED_MEDIA_TYPE', 'The webhook accepts application/json only.');
  }
}

/** Parses and validates the raw webhook body into an alert, naming every field that is wrong. */
export function parseAlertPayload(rawBody: Buffer): Alert {
  const body = parseJson(rawBody);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('ALERT.INVALID', 'The body must be a JSON object.', {
      errors: [{ field: '(body)', message: 'must be a JSON object' }],
    });
  }

  const dto = new AlertPayloadDto();
  for (const field of ALERT_PAYLOAD_FIELDS) {
    if (Object.prototype.hasOwnProperty.call(body, field)) {
      Object.assign(dto, { [field]: (body as Record<string, unknown>)[field] });
    }
  }
  const errors = validateSync(dto, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const fields = errors.map(toFieldError);
    throw new GatewayError('ALERT.INVALID', `Invalid fields: ${fields.map((f) => f.field).join(', ')}.`, {
      errors: fields,
    });
  }
  const alert = toAlert(dto);
  assertMatchesContract(alert);
  return alert;
}

/**
 * The event contract is checked here too, so a body the DTO lets through but the `alert.received`
 * schema refuses is the sender's 422, not a failed transaction.
 */
function assertMatchesContract(alert: Alert): void {
  const problems = payloadProblems('alert.received', {
    alert,
    change: 'new',
    revision: 1,
    received_at: new Date().toISOString(),
  });
  if (problems.length === 0) return;
  const errors = problems.map((problem) => {
    const [path = '', ...message] = problem.split(' ');
    return { field: path.replace(/^\/alert\/?/, '').split('/')[0] || '(body)', message: message.join(' ') };
  });
  throw new GatewayError('ALERT.INVALID', `Invalid fields: ${errors.map((e) => e.field).join(', ')}.`, { errors });
}

/**
 * Drops every `__proto__` key, which a later Object.assign or spread would turn into a prototype.
 * The reviver costs a call per value, so it runs only for a text that could hold such a key: one
 * that spells `proto` or escapes a character (`\u0070roto`).
 */
function parseJson(rawBody: Buffer): unknown {
  const text = rawBody.toString('utf8');
  try {
    if (!text.includes('proto') && !text.includes('\\u')) return JSON.parse(text);
    return JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value));
  } catch {
    throw new GatewayError('ALERT.MALFORMED_JSON', 'The body is not valid JSON.');
  }
}

function toFieldError(error: ValidationError): FieldError {
  return { field: error.property, message: Object.values(error.constraints ?? {}).join('; ') || 'is invalid' };
}

function toAlert(dto: AlertPayloadDto): Alert {
  return {
    alert_id: dto.alert_id,
    alert_type: dto.alert_type,
    severity: dto.severity,
    description: dto.description,
    affected_systems: dto.affected_systems,
    detected_at: dto.detected_at,
    context: dto.context ?? {},
    compliance_frameworks: dto.compliance_frameworks ?? [],
    status: dto.status ?? 'firing',
  };
}
