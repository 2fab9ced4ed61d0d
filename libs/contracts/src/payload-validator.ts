import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { EventPayloads, Topic } from './events';
import { PAYLOAD_SCHEMAS } from './schemas/payload.schema';

let compiled: Map<Topic, ValidateFunction> | undefined;

function validators(): Map<Topic, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  compiled = new Map(
    (Object.keys(PAYLOAD_SCHEMAS) as Topic[]).map((topic) => [topic, ajv.compile(PAYLOAD_SCHEMAS[topic])]),
  );
  return compiled;
}

/**
 * Compiles every topic's schema now rather than on the first payload checked. Compiling takes tens
 * of milliseconds (more on a busy machine), and each service met it on the first alert after a
 * start: that alert waited for it once per service on its way.
 */
export function preparePayloadValidators(): void {
  validators();
}

/**
 * Checks a payload against its topic's JSON Schema. Returns the problems (`/alert/severity must be
 * equal to one of the allowed values`), empty when the payload is valid.
 */
export function payloadProblems(topic: Topic, data: unknown): string[] {
  const validate = validators().get(topic);
  if (!validate) return [`unknown topic ${String(topic)}`];
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

/** Narrows `data` to the topic's payload type when it passes the schema. */
export function isValidPayload<T extends Topic>(topic: T, data: unknown): data is EventPayloads[T] {
  return payloadProblems(topic, data).length === 0;
}
