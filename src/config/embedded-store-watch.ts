/**
 * Change notification for the embedded store: polls the database's generation (one indexed read) every `pollMs`
 * and, when it moved, reads the keys written since the last seen generation. Writes of this client are checked
 * right after their commit; writes of other clients and processes within one poll period.
 * @module
 */
import type { ChangesSince } from './embedded-store-db.ts';
import { underPrefix } from './memory-store.ts';

interface Watcher {
  readonly prefix: string;
  readonly onChange: (keys: readonly string[]) => void;
}

/** What the watch reads; both may throw (closed, not openable): the check is then retried at the next poll. */
export interface GenerationSource {
  generation(): number;
  changesSince(since: number): ChangesSince;
}

/** Baseline not known yet: the first successful read sets it without notifying. */
const UNKNOWN = -1;

/** Watches one database. */
export class GenerationWatch {
  private readonly watchers = new Set<Watcher>();
  private seen: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: GenerationSource,
    private readonly pollMs: number,
  ) {}

  /** Adds a watcher; returns its removal. */
  add(prefix: string, onChange: (keys: readonly string[]) => void): () => void {
    const watcher = { prefix, onChange };
    if (this.watchers.size === 0) this.start();
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
      if (this.watchers.size === 0) this.stop();
    };
  }

  /** Notifies the keys written since the last check (nothing when no watcher is registered). */
  check(): void {
    if (this.seen === undefined) return;
    if (this.seen === UNKNOWN) return this.baseline();
    let found: ChangesSince;
    try {
      found = this.source.changesSince(this.seen);
    } catch {
      return;
    }
    if (found.generation === this.seen) return;
    this.seen = found.generation;
    const changed = [...new Set(found.keys)].sort();
    for (const w of this.watchers) {
      const hit = changed.filter((k) => underPrefix(k, w.prefix));
      if (hit.length > 0) queueMicrotask(() => w.onChange(hit));
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.seen = undefined;
  }

  private start(): void {
    this.seen = UNKNOWN;
    this.baseline();
    this.timer = setInterval(() => this.check(), this.pollMs);
    this.timer.unref();
  }

  private baseline(): void {
    try {
      this.seen = this.source.generation();
    } catch {
      this.seen = UNKNOWN;
    }
  }
}
