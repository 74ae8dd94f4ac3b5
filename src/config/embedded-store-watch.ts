/**
 * Change notification for the embedded store: compares the data file's per-key indexes with the last seen ones,
 * woken by fs.watch on the store directory (writes of other processes) and by a poll timer as a fallback.
 * @module
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Snapshot } from './embedded-store-file.ts';
import { underPrefix } from './memory-store.ts';

interface Watcher {
  readonly prefix: string;
  readonly onChange: (keys: readonly string[]) => void;
}

/** Watches one data file; `load` returns the current snapshot (it may throw: the check is then retried later). */
export class SnapshotWatch {
  private readonly watchers = new Set<Watcher>();
  private seen: Map<string, number> | undefined;
  private fsWatcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly load: () => Snapshot,
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

  /** Compares `snapshot` (or a fresh load) with the last seen state and notifies the changed keys. */
  check(snapshot?: Snapshot): void {
    if (this.seen === undefined) return;
    let current: Snapshot;
    try {
      current = snapshot ?? this.load();
    } catch {
      return;
    }
    const changed = changedKeys(this.seen, current);
    if (changed.length === 0) return;
    this.seen = indexes(current);
    for (const w of this.watchers) {
      const hit = changed.filter((k) => underPrefix(k, w.prefix));
      if (hit.length > 0) queueMicrotask(() => w.onChange(hit));
    }
  }

  stop(): void {
    this.fsWatcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.fsWatcher = undefined;
    this.timer = undefined;
    this.seen = undefined;
  }

  private start(): void {
    try {
      this.seen = indexes(this.load());
    } catch {
      this.seen = new Map();
    }
    const name = basename(this.file);
    try {
      this.fsWatcher = watch(dirname(this.file), { persistent: false }, (_event, f) => {
        if (f === null || f === name) this.check();
      });
      this.fsWatcher.on('error', () => undefined);
    } catch {
      this.fsWatcher = undefined;
    }
    this.timer = setInterval(() => this.check(), this.pollMs);
    this.timer.unref();
  }
}

function indexes(snapshot: Snapshot): Map<string, number> {
  return new Map([...snapshot.entries].map(([k, e]) => [k, e.index]));
}

function changedKeys(seen: ReadonlyMap<string, number>, current: Snapshot): string[] {
  const changed: string[] = [];
  for (const [key, entry] of current.entries) if (seen.get(key) !== entry.index) changed.push(key);
  for (const key of seen.keys()) if (!current.entries.has(key)) changed.push(key);
  return changed.sort();
}
