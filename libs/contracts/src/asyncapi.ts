import { EXAMPLE_PAYLOADS } from './examples';
import { deadLetterTopic, EVENT_CATALOGUE, type Topic, TOPICS } from './events';
import type { JsonSchema } from './schemas/common.schema';
import { PAYLOAD_SCHEMAS } from './schemas/payload.schema';

/** Headers a dead-lettered message carries besides its original ones. */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'convene_dlq_original_topic',
  consumer: 'convene_dlq_consumer',
  errorCode: 'convene_dlq_error_code',
  error: 'convene_dlq_error',
  attempts: 'convene_dlq_attempts',
  failedAt: 'convene_dlq_failed_at',
} as const;

/** Partitions each topic is created with; keys (alert ids) spread over them. */
export const TOPIC_PARTITIONS = 6;

const KAFKA_BINDING_VERSION = '0.5.0';

function pascal(topic: string): string {
  return topic
    .split(/[.\-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function camel(topic: string): string {
  const name = pascal(topic);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function cloudEventHeaders(topic: Topic): JsonSchema {
  const entry = EVENT_CATALOGUE[topic];
  return {
    type: 'object',
    description: 'CloudEvents 1.0 attributes in Kafka binary mode, plus W3C trace context.',
    required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_subject', 'ce_datacontenttype'],
    properties: {
      ce_specversion: { type: 'string', const: '1.0' },
      ce_id: { type: 'string', format: 'uuid', description: 'Unique per event; consumers deduplicate on it.' },
      ce_source: { type: 'string', const: `/convene/${entry.producer}` },
      ce_type: { type: 'string', const: entry.type },
      ce_time: { type: 'string', format: 'date-time' },
      ce_subject: { type: 'string', description: 'The alert id, also the message key.' },
      ce_datacontenttype: { type: 'string', const: 'application/json' },
      ce_traceparent: { type: 'string', description: 'W3C trace context where the event was produced.' },
      ce_tracestate: { type: 'string' },
      traceparent: { type: 'string', description: 'W3C trace context of the publishing span.' },
      tracestate: { type: 'string' },
      'content-type': { type: 'string', const: 'application/json' },
    },
  };
}

function deadLetterHeaders(): JsonSchema {
  return {
    type: 'object',
    description: 'The original message headers, plus why and after how many attempts it was dead-lettered.',
    required: Object.values(DEAD_LETTER_HEADERS),
    properties: {
      [DEAD_LETTER_HEADERS.originalTopic]: { type: 'string' },
      [DEAD_LETTER_HEADERS.consumer]: { type: 'string', description: 'Consumer group and handler that gave up.' },
      [DEAD_LETTER_HEADERS.errorCode]: { type: 'string', description: 'Error code, e.g. MESSAGING.INVALID_PAYLOAD.' },
      [DEAD_LETTER_HEADERS.error]: { type: 'string', description: 'Error message, never a secret.' },
      [DEAD_LETTER_HEADERS.attempts]: { type: 'string', description: 'Attempts made, as a decimal number.' },
      [DEAD_LETTER_HEADERS.failedAt]: { type: 'string', format: 'date-time' },
    },
  };
}

const keyBinding = {
  kafka: {
    key: { type: 'string', description: 'The alert id: all events of one alert share a partition, in order.' },
    bindingVersion: KAFKA_BINDING_VERSION,
  },
};

function eventMessage(topic: Topic): Record<string, unknown> {
  const entry = EVENT_CATALOGUE[topic];
  const message: Record<string, unknown> = {
    name: entry.type,
    title: `${topic} v${entry.version}`,
    summary: entry.description,
    contentType: 'application/json',
    headers: cloudEventHeaders(topic),
    payload: { $ref: `#/components/schemas/${pascal(topic)}V${entry.version}` },
    bindings: keyBinding,
  };
  if (topic === 'meeting.scheduled') {
    message.examples = [
      {
        name: 'criticalSecurityIncident',
        summary: 'A critical security incident booked within the hour.',
        headers: {
          ce_specversion: '1.0',
          ce_id: '6f1c2f8e-6a7b-4f0e-9a52-2f4d8b1c9e01',
          ce_source: `/convene/${entry.producer}`,
          ce_type: entry.type,
          ce_time: '2026-12-03T09:12:10Z',
          ce_subject: EXAMPLE_PAYLOADS[topic].alert_id,
          ce_datacontenttype: 'application/json',
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        },
        payload: EXAMPLE_PAYLOADS[topic],
      },
    ];
  }
  return message;
}

function channels(): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const topic of TOPICS) {
    const entry = EVENT_CATALOGUE[topic];
    const messageName = `${camel(topic)}V${entry.version}`;
    result[camel(topic)] = {
      address: topic,
      description: entry.description,
      messages: { [messageName]: { $ref: `#/components/messages/${messageName}` } },
      bindings: { kafka: { topic, partitions: TOPIC_PARTITIONS, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    result[`${camel(topic)}DeadLetter`] = {
      address: deadLetterTopic(topic),
      description: `Messages of ${topic} that a consumer could not process within its retry budget.`,
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      bindings: {
        kafka: { topic: deadLetterTopic(topic), partitions: TOPIC_PARTITIONS, bindingVersion: KAFKA_BINDING_VERSION },
      },
    };
  }
  return result;
}

function operations(): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const topic of TOPICS) {
    const entry = EVENT_CATALOGUE[topic];
    const channel = camel(topic);
    const messageName = `${channel}V${entry.version}`;
    result[`publish${pascal(topic)}`] = {
      action: 'send',
      summary: `${entry.producer} publishes ${topic}.`,
      channel: { $ref: `#/channels/${channel}` },
      messages: [{ $ref: `#/channels/${channel}/messages/${messageName}` }],
    };
    result[`deadLetter${pascal(topic)}`] = {
      action: 'send',
      summary: `A consumer of ${topic} gives up on a message.`,
      channel: { $ref: `#/channels/${channel}DeadLetter` },
      messages: [{ $ref: `#/channels/${channel}DeadLetter/messages/deadLetter` }],
    };
  }
  return result;
}

function components(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const topic of TOPICS) {
    const entry = EVENT_CATALOGUE[topic];
    messages[`${camel(topic)}V${entry.version}`] = eventMessage(topic);
    schemas[`${pascal(topic)}V${entry.version}`] = PAYLOAD_SCHEMAS[topic];
  }
  messages.deadLetter = {
    name: 'deadLetter',
    title: 'Dead letter',
    summary: 'The original message, unchanged, with the reason it was given up on.',
    contentType: 'application/json',
    headers: deadLetterHeaders(),
    payload: { description: 'The original message value, byte for byte.' },
    bindings: keyBinding,
  };
  return { messages, schemas };
}

/**
 * The AsyncAPI 3.0 document of Convene's events, built from EVENT_CATALOGUE and PAYLOAD_SCHEMAS.
 * docs/asyncapi.yaml is this document; a unit test fails when they differ.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Convene events',
      version: '1.0.0',
      description:
        'Events Convene publishes while it turns an alert into a booked meeting. CloudEvents 1.0 in Kafka ' +
        'binary mode (`ce_` headers), JSON values, keyed by alert id. `meeting.scheduled` is the public ' +
        'contract for other systems. Generated from libs/contracts; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The broker `npm run infra:up` starts.' },
    },
    channels: channels(),
    operations: operations(),
    components: components(),
  };
}
