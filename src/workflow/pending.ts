/**
 * Asynchronous work found during a synchronous planning pass (running a JIT generator, loading another repository).
 * Each piece runs once per key; the planner awaits them all, then runs another pass.
 */
export class PendingWork {
  private readonly running = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, Error>();

  /** Starts `work` unless a piece with this key ran already. */
  add(key: string, work: () => Promise<void>): void {
    if (this.running.has(key)) return;
    this.running.set(
      key,
      work().catch((e: unknown) => {
        this.failures.set(key, e instanceof Error ? e : new Error(String(e)));
      }),
    );
  }

  /** The error of a finished piece, if it failed. */
  failure(key: string): Error | undefined {
    return this.failures.get(key);
  }

  has(key: string): boolean {
    return this.running.has(key);
  }

  /** Waits for everything started so far. */
  async flush(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
