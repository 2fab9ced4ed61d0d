import { CloudEvent, Kafka } from 'cloudevents';
import { EVENT_CATALOGUE, type EventPayloads, payloadProblems, type Topic, TOPICS } from '#libs/contracts';
import { PermanentError } from './errors';
import type { ConveneEvent } from './event';
import type { BusMessage } from './transport';

const CONTENT_TYPE = 'application/json';

/**
 * The message for an event in CloudEvents Kafka binary mode: attributes as `ce_` headers, the
 * payload as JSON value, the subject (alert id) as key.
 */
export function encodeEvent<T extends Topic>(event: ConveneEvent<T>): BusMessage {
  // Not strict: the attributes come from the catalogue, and the SDK's schema check of every event
  // sent was a visible share of the gateway's time per webhook. The receiving side checks strictly
  // (parseCloudEvent), and cloud-event.spec.ts checks that what this writes passes it.
  const cloudEvent = new CloudEvent(
    {
      id: event.id,
      source: event.source,
      type: event.type,
      time: event.time,
      subject: event.subject,
      datacontenttype: CONTENT_TYPE,
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      ...(event.tracestate ? { tracestate: event.tracestate } : {}),
      data: event.data,
    },
    false,
  );
  const binary = Kafka.binary(cloudEvent);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(binary.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  return { topic: event.topic, key: event.subject, value: JSON.stringify(event.data), headers };
}

function isTopic(topic: string): topic is Topic {
  return (TOPICS as string[]).includes(topic);
}

/**
 * The event a message carries, checked against the catalogue and the payload schema. Anything
 * that cannot become a valid event is a PermanentError: retrying would not change it.
 */
export function decodeEvent(message: BusMessage): ConveneEvent {
  if (!isTopic(message.topic)) throw new PermanentError('MESSAGING.UNKNOWN_TOPIC', `unknown topic ${message.topic}`);
  const topic = message.topic;
  const cloudEvent = parseCloudEvent(message);
  if (cloudEvent.type !== EVENT_CATALOGUE[topic].type) {
    throw new PermanentError('MESSAGING.UNKNOWN_TYPE', `type ${cloudEvent.type} does not travel on ${topic}`);
  }

  const problems = payloadProblems(topic, cloudEvent.data);
  if (problems.length > 0) {
    throw new PermanentError('MESSAGING.INVALID_PAYLOAD', `${topic} payload invalid: ${problems.join('; ')}`);
  }
  return {
    id: cloudEvent.id,
    topic,
    type: cloudEvent.type,
    source: cloudEvent.source,
    time: cloudEvent.time ?? new Date().toISOString(),
    subject: cloudEvent.subject ?? message.key,
    traceparent: typeof cloudEvent.traceparent === 'string' ? cloudEvent.traceparent : null,
    tracestate: typeof cloudEvent.tracestate === 'string' ? cloudEvent.tracestate : null,
    data: cloudEvent.data as EventPayloads[Topic],
  };
}

function parseCloudEvent(message: BusMessage): CloudEvent<unknown> {
  // The Kafka binding reads `value` (and `key`) although its declared input type is the generic Message.
  const kafkaMessage = { headers: message.headers, key: message.key, value: message.value, body: message.value };
  try {
    const parsed = Kafka.toEvent(kafkaMessage);
    const cloudEvent = Array.isArray(parsed) ? undefined : parsed;
    if (!(cloudEvent instanceof CloudEvent)) throw new Error('expected one event in binary mode');
    cloudEvent.validate();
    return cloudEvent as CloudEvent<unknown>;
  } catch (error) {
    throw new PermanentError('MESSAGING.MALFORMED', `not a CloudEvent: ${errorText(error)}`, { cause: error });
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
