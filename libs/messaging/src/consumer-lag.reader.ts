import type { BusTransport } from './transport';

const LAG_TIMEOUT_MS = 2_000;

/** One consumer group's backlog, or why it is unknown. */
export type ConsumerLag =
  | { known: true; total: number; by_topic: Record<string, number> }
  | { known: false; reason: 'no_bus' | 'bus_unavailable' };

/**
 * Reads any service's consumer lag from the bus this process is connected to: Kafka's committed
 * offsets of `convene-<service>` against the end offsets, or the in-process bus's queued deliveries.
 * The broker keeps committed offsets when a service is down, so a stopped consumer still shows its
 * backlog growing. Provided by MessagingModule; the transport is attached when messaging starts.
 */
export class ConsumerLagReader {
  private transport: BusTransport | undefined;

  attach(transport: BusTransport): void {
    this.transport = transport;
  }

  async lagOf(service: string, topics: string[]): Promise<ConsumerLag> {
    if (!this.transport?.lag) return { known: false, reason: 'no_bus' };
    const byTopic = await within(this.transport.lag(`convene-${service}`, topics), LAG_TIMEOUT_MS);
    if (!byTopic) return { known: false, reason: 'bus_unavailable' };
    const total = Object.values(byTopic).reduce((sum, messages) => sum + messages, 0);
    return { known: true, total, by_topic: byTopic };
  }
}

/** The answer, or null when it fails or is slower than `ms`: a status page must not wait for Kafka's retries. */
async function within<T>(answer: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([answer.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
