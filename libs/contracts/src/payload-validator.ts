import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { EventPayloads, Topic } from './events';
import { PAYLOAD_SCHEMAS } from './schemas/payload.schema';

let ajv: Ajv | undefined;
const compiled = new Map<Topic, ValidateFunction>();

/** The topic's schema, compiled on first use: a service compiles only the topics it touches. */
function validatorFor(topic: Topic): ValidateFunction | undefined {
  const cached = compiled.get(topic);
  if (cached) return cached;
  // A topic name from the wire is checked before it indexes the catalogue's schemas.
  if (!Object.hasOwn(PAYLOAD_SCHEMAS, topic)) return undefined;
  const schema = PAYLOAD_SCHEMAS[topic];

  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
  }
  const validate = ajv.compile(schema);
  compiled.set(topic, validate);
  return validate;
}

/**
 * Compiles the schemas of `topics` now rather than on the first payload checked, and returns the
 * topics it compiled (none already compiled). Compiling takes tens of milliseconds (more on a busy
 * machine), and each service met it on the first alert after a start: that alert waited for it
 * once per service on its way.
 */
export function preparePayloadValidators(topics: readonly Topic[]): Topic[] {
  const fresh = [...new Set(topics)].filter((topic) => !compiled.has(topic));
  for (const topic of fresh) validatorFor(topic);
  return fresh.filter((topic) => compiled.has(topic));
}

/**
 * Checks a payload against its topic's JSON Schema. Returns the problems (`/alert/severity must be
 * equal to one of the allowed values`), empty when the payload is valid.
 */
export function payloadProblems(topic: Topic, data: unknown): string[] {
  const validate = validatorFor(topic);
  if (!validate) return [`unknown topic ${String(topic)}`];
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

/** Narrows `data` to the topic's payload type when it passes the schema. */
export function isValidPayload<T extends Topic>(topic: T, data: unknown): data is EventPayloads[T] {
  return payloadProblems(topic, data).length === 0;
}
