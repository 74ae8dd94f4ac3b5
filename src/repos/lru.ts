/**
 * A small least-recently-used map of promises: concurrent requests for one key share one load, and a failed load
 * is forgotten so the next request retries.
 */
export class PromiseLru<V> {
  readonly #entries = new Map<string, Promise<V>>();

  constructor(readonly capacity: number) {}

  /** The cached value of `key`, or the result of `load()` (cached from now on unless it rejects). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const p = load();
    this.#entries.set(key, p);
    p.catch(() => {
      if (this.#entries.get(key) === p) this.#entries.delete(key);
    });
    this.#evict();
    return p;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) return;
      this.#entries.delete(oldest.value);
    }
  }
}
