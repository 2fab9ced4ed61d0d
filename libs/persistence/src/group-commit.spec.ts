import { AsyncLocalStorage } from 'node:async_hooks';
import { GroupCommit } from './group-commit';

interface Item {
  key: string;
  value: number;
}

/** A write that records each batch it was given and finishes when the test lets it. */
function recordingWrite(fail: (items: Item[]) => boolean = () => false) {
  const batches: Item[][] = [];
  const waiting: (() => void)[] = [];
  const write = async (items: Item[]): Promise<number[]> => {
    batches.push(items);
    await new Promise<void>((release) => waiting.push(release));
    if (fail(items)) throw new Error(`batch of ${items.length} refused`);
    return items.map((item) => item.value * 10);
  };
  const releaseAll = async (): Promise<void> => {
    while (waiting.length > 0) {
      waiting.shift()?.();
      await new Promise((settle) => setImmediate(settle));
    }
  };
  return { batches, write, releaseAll };
}

const item = (key: string, value: number): Item => ({ key, value });
const keyOf = (entry: Item): string => entry.key;

describe('GroupCommit', () => {
  it('writes a lone item at once, in a batch of its own', async () => {
    const { batches, write, releaseAll } = recordingWrite();
    const commit = new GroupCommit(write, { maxBatch: 8, keyOf });
    const outcome = commit.submit(item('a', 1));
    expect(batches).toEqual([[item('a', 1)]]);
    await releaseAll();
    await expect(outcome).resolves.toBe(10);
  });

  it('gathers the items that arrive during a write into the next one, up to maxBatch', async () => {
    const { batches, write, releaseAll } = recordingWrite();
    const commit = new GroupCommit(write, { maxBatch: 3, keyOf });
    const outcomes = ['a', 'b', 'c', 'd', 'e', 'f'].map((key, index) => commit.submit(item(key, index)));
    await releaseAll();
    await expect(Promise.all(outcomes)).resolves.toEqual([0, 10, 20, 30, 40, 50]);
    expect(batches.map((batch) => batch.map(keyOf).join(''))).toEqual(['a', 'bcd', 'ef']);
  });

  it('keeps two items with one key out of the same batch, in their order', async () => {
    const { batches, write, releaseAll } = recordingWrite();
    const commit = new GroupCommit(write, { maxBatch: 8, keyOf });
    const outcomes = [item('x', 0), item('a', 1), item('a', 2), item('b', 3)].map((entry) => commit.submit(entry));
    await releaseAll();
    await expect(Promise.all(outcomes)).resolves.toEqual([0, 10, 20, 30]);
    expect(batches.map((batch) => batch.map((entry) => entry.value))).toEqual([[0], [1, 3], [2]]);
  });

  it('writes each item of a failed batch on its own, so only the bad one fails', async () => {
    const bad = (items: Item[]): boolean => items.some((entry) => entry.key === 'bad');
    const { batches, write, releaseAll } = recordingWrite(bad);
    const commit = new GroupCommit(write, { maxBatch: 8, keyOf });
    const first = commit.submit(item('first', 1));
    const rest = [item('a', 2), item('bad', 3), item('b', 4)].map((entry) => commit.submit(entry));
    const settled = Promise.allSettled([first, ...rest]);
    await releaseAll();
    expect((await settled).map((result) => (result.status === 'fulfilled' ? result.value : 'refused'))).toEqual([
      10,
      20,
      'refused',
      40,
    ]);
    expect(batches.map((batch) => batch.map(keyOf).join(','))).toEqual(['first', 'a,bad,b', 'a', 'bad', 'b']);
  });

  it('fails the batch when the write answers a different number of outcomes, then writes items singly', async () => {
    let calls = 0;
    const commit = new GroupCommit(
      (items: Item[]) => {
        calls += 1;
        return Promise.resolve(items.length > 1 ? [1] : [items[0].value]);
      },
      { maxBatch: 8, keyOf },
    );
    const outcomes = [item('a', 5), item('b', 6), item('c', 7)].map((entry) => commit.submit(entry));
    await expect(Promise.all(outcomes)).resolves.toEqual([5, 6, 7]);
    expect(calls).toBe(4);
  });

  it('runs each write in the async context of the first caller of its batch', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const { write, releaseAll } = recordingWrite();
    const commit = new GroupCommit(
      (items: Item[]) => {
        seen.push(storage.getStore());
        return write(items);
      },
      { maxBatch: 8, keyOf },
    );
    const outcomes = ['one', 'two', 'three'].map((caller) => storage.run(caller, () => commit.submit(item(caller, 1))));
    await releaseAll();
    await Promise.all(outcomes);
    expect(seen).toEqual(['one', 'two']);
  });
});
