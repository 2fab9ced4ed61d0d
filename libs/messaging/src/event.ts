import type { EventPayloads, Topic } from '#libs/contracts';

/**
 * One event as services see it: the CloudEvents 1.0 attributes and the typed payload. On Kafka the
 * attributes travel as `ce_` headers (binary mode) and the payload as the message value.
 */
export interface ConveneEvent<T extends Topic = Topic> {
  /** CloudEvents `id`: a UUID, unique per event; consumers deduplicate on it. */
  id: string;
  topic: T;
  /** CloudEvents `type`, e.g. `com.convene.alert.received.v1`. */
  type: string;
  /** CloudEvents `source`, `/convene/<producing service>`. */
  source: string;
  /** CloudEvents `time`, ISO 8601. */
  time: string;
  /** CloudEvents `subject` and the partition key: the alert id. */
  subject: string;
  /** W3C trace context of the span that produced the event. */
  traceparent: string | null;
  tracestate: string | null;
  data: EventPayloads[T];
}
