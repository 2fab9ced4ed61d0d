import type { BusMessage, BusSubscription, BusTransport, Delivery, DeliverFn, SubscribeOptions } from './transport';

/** Raised to a publisher when a consuming group has stopped; the outbox row stays unsent. */
export class GroupStoppedError extends Error {
  constructor(group: string) {
    super(`consumer group ${group} has stopped`);
    this.name = 'GroupStoppedError';
  }
}

class GroupLanes {
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private sequence = 0;
  /** Deliveries enqueued and not finished, per topic (the lag metric). */
  readonly queued = new Map<string, number>();
  stopped = false;

  constructor(
    readonly name: string,
    readonly topics: Set<string>,
    private readonly deliverFn: DeliverFn,
    private readonly concurrency: number,
  ) {}

  /** Delivers after every earlier message with the same key; resolves when the consumer is done. */
  enqueue(message: BusMessage): Promise<void> {
    if (this.stopped) return Promise.reject(new GroupStoppedError(this.name));
    const previous = this.lanes.get(message.key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.deliver(message));
    const settled = next.catch(() => undefined);
    this.queued.set(message.topic, (this.queued.get(message.topic) ?? 0) + 1);
    this.lanes.set(message.key, settled);
    this.inFlight.add(settled);
    void settled.then(() => {
      this.queued.set(message.topic, (this.queued.get(message.topic) ?? 1) - 1);
      this.inFlight.delete(settled);
      if (this.lanes.get(message.key) === settled) this.lanes.delete(message.key);
    });
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const release of this.waiting.splice(0)) release();
    await Promise.all([...this.inFlight]);
  }

  private async deliver(message: BusMessage): Promise<void> {
    await this.acquire();
    try {
      if (this.stopped) throw new GroupStoppedError(this.name);
      this.sequence += 1;
      const delivery: Delivery = {
        ...message,
        headers: { ...message.headers },
        position: `${message.topic}/in-process/${this.sequence}`,
        heartbeat: () => Promise.resolve(),
      };
      await this.deliverFn(delivery);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const nextInLine = this.waiting.shift();
    if (nextInLine) nextInLine();
    else this.running -= 1;
  }
}

export interface InProcessBusOptions {
  /** Keys a group works on at the same time; each key stays in order. */
  concurrencyPerGroup?: number;
}

// TODO(#3): a relay round waits for the slowest key of its batch, so a handler retrying for its whole
// budget delays the producer's later events of other keys by as much; pipeline rounds per key.
/**
 * The embedded mode's bus: one instance shared by the five services of the process. A publish
 * resolves only after every subscribed group has processed (or dead-lettered) the message, so the
 * outbox row is marked sent only when no consumer can still lose it; a crash before that leaves
 * the row unsent and the relay sends it again after restart, where the inbox drops duplicates.
 *
 * Publishing waits until `open()`: the embedded process opens the bus once all five services have
 * subscribed, so a relay that starts first cannot deliver to a group that does not exist yet.
 */
export class InProcessBus implements BusTransport {
  readonly kind = 'in-process' as const;
  private readonly groups = new Map<string, GroupLanes>();
  private readonly concurrency: number;
  private release: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  private closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.concurrency = options.concurrencyPerGroup ?? 8;
  }

  /** Lets publishes through; call after every service of the process has subscribed. */
  open(): void {
    this.release();
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  async publish(messages: BusMessage[]): Promise<void> {
    await this.opened;
    if (this.closed) throw new Error('in-process bus is closed');
    const byKey = new Map<string, BusMessage[]>();
    for (const message of messages) byKey.set(message.key, [...(byKey.get(message.key) ?? []), message]);
    await Promise.all([...byKey.values()].map((sameKey) => this.publishInOrder(sameKey)));
  }

  subscribe(options: SubscribeOptions): Promise<BusSubscription> {
    const existing = this.groups.get(options.group);
    if (existing && !existing.stopped) throw new Error(`consumer group ${options.group} is already subscribed`);
    const lanes = new GroupLanes(options.group, new Set(options.topics), options.deliver, this.concurrency);
    this.groups.set(options.group, lanes);
    return Promise.resolve({ stop: () => lanes.stop() });
  }

  lag(group: string, topics: string[]): Promise<Record<string, number>> {
    const lanes = this.groups.get(group);
    return Promise.resolve(Object.fromEntries(topics.map((topic) => [topic, lanes?.queued.get(topic) ?? 0])));
  }

  check(): Promise<void> {
    return this.closed ? Promise.reject(new Error('in-process bus is closed')) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.open();
    await Promise.all([...this.groups.values()].map((group) => group.stop()));
  }

  private async publishInOrder(messages: BusMessage[]): Promise<void> {
    for (const message of messages) {
      const targets = [...this.groups.values()].filter((group) => group.topics.has(message.topic));
      const results = await Promise.allSettled(targets.map((group) => group.enqueue(message)));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }
}
