import { AsyncResource } from 'node:async_hooks';

export interface GroupCommitOptions<I> {
  /** The most items one write takes. */
  maxBatch: number;
  /**
   * Items with the same key never share a write: a later one waits for the next, so it sees what
   * the earlier one wrote (two copies of one alert, say).
   */
  keyOf: (item: I) => string;
}

interface Pending<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
  /** Runs a function in the async context (the trace) of the call that submitted the item. */
  inCallerContext: (work: () => Promise<void>) => Promise<void>;
}

/**
 * Gathers concurrent writes into batches, so many callers share one statement and one commit.
 * A write starts as soon as none is running: a lone caller waits for nothing, and the callers that
 * arrive while a write runs go together into the next. `write` answers one outcome per item, in
 * order. When a batch fails, each of its items is written again on its own, so one bad item fails
 * only its own caller.
 */
export class GroupCommit<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions<I>,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const inCallerContext = AsyncResource.bind((work: () => Promise<void>) => work());
      this.queue.push({ item, resolve, reject, inCallerContext });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await batch[0].inCallerContext(() => this.writeBatch(batch));
      }
    } finally {
      this.writing = false;
    }
  }

  /** The oldest items, up to maxBatch, leaving for later any whose key is already in the batch. */
  private takeBatch(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (let index = 0; index < this.queue.length && batch.length < this.options.maxBatch;) {
      const key = this.options.keyOf(this.queue[index].item);
      if (keys.has(key)) {
        index += 1;
        continue;
      }
      keys.add(key);
      batch.push(...this.queue.splice(index, 1));
    }
    return batch;
  }

  private async writeBatch(batch: Pending<I, O>[]): Promise<void> {
    try {
      const outcomes = await this.write(batch.map((pending) => pending.item));
      if (outcomes.length !== batch.length) {
        throw new Error(`a batch write answered ${outcomes.length} outcomes for ${batch.length} items`);
      }
      batch.forEach((pending, index) => pending.resolve(outcomes[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const pending of batch) await pending.inCallerContext(() => this.writeBatch([pending]));
    }
  }
}
