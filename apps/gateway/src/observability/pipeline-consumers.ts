import { type Topic, TOPICS } from '#libs/contracts';

// TODO(#4): this mirrors the handlers each service registers by hand; a topic missing here is missing
// from that service's lag on /status. Deriving it from the event catalogue needs consumers listed there.
/** The topics each service's consumer group `convene-<service>` reads, for its lag on /status. */
export const PIPELINE_CONSUMERS: Readonly<Record<string, readonly Topic[]>> = {
  analysis: ['alert.received'],
  scheduling: ['alert.analyzed'],
  notification: ['meeting.scheduled', 'meeting.updated', 'meeting.cancelled'],
  audit: TOPICS,
};
