import { createRequire } from 'node:module';
import { stopKafkajsIdleTimerLoop } from './kafkajs-request-queue';

interface Queue {
  pending: { send(): void; expectResponse: boolean; correlationId: number }[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
}

type QueueClass = new (options: Record<string, unknown>) => Queue;

const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as QueueClass;
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function newQueue(): Queue {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'localhost:9092',
    logger,
  });
}

describe('kafkajs request queue after stopKafkajsIdleTimerLoop', () => {
  beforeAll(() => stopKafkajsIdleTimerLoop());
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('schedules no timer when nothing waits and the broker does not throttle', () => {
    const queue = newQueue();

    queue.checkPendingRequests();

    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('looks again every 10 ms while a request waits for a free slot, and sends it once one is free', () => {
    const queue = newQueue();
    const send = jest.fn();
    queue.inflight.set(1, {});
    queue.pending.push({ send, expectResponse: true, correlationId: 2 });

    queue.checkPendingRequests();
    jest.advanceTimersByTime(10);
    expect(send).not.toHaveBeenCalled();
    queue.inflight.clear();
    jest.advanceTimersByTime(10);

    expect(send).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits out a throttle the broker asked for, then stops scheduling', () => {
    const queue = newQueue();
    queue.maybeThrottle(300);

    queue.checkPendingRequests();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(300);

    expect(jest.getTimerCount()).toBe(0);
  });
});
