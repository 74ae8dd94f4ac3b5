/** Runs jobs one after the other per key, and jobs of different keys concurrently. */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `job` after every job queued earlier under `key` has settled; rejects/resolves like `job`. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const next = before.then(job, job);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Number of keys with queued or running jobs. */
  get busy(): number {
    return this.tails.size;
  }
}
