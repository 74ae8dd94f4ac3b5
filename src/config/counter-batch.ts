/**
 * Batched counter increments: the requests for one key that arrive while a batch is being written are served
 * together by the next single write (`add(key, n)` raises the counter by n and returns the first of the n values),
 * so 1,000 concurrent run-number requests of one process cost a few transactions instead of 1,000. The values of
 * one batcher come out in request order; batches of one key are written one after the other.
 * @module
 */

interface Waiter {
  readonly resolve: (value: number) => void;
  readonly reject: (e: unknown) => void;
}

/** Serves `next(key)` from batched `add(key, n)` calls. */
export class CounterBatcher {
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly add: (key: string, n: number) => Promise<number>) {}

  /** The counter's next value for this request. */
  next(key: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue !== undefined) return void queue.push({ resolve, reject });
      const fresh = [{ resolve, reject }];
      this.queues.set(key, fresh);
      queueMicrotask(() => void this.drain(key, fresh));
    });
  }

  private async drain(key: string, queue: Waiter[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0);
      try {
        const first = await this.add(key, batch.length);
        batch.forEach((w, i) => w.resolve(first + i));
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    this.queues.delete(key);
  }
}
