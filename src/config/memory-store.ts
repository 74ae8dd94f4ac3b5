/**
 * An in-memory ConfigStore: the reference semantics for tests (no persistence, one process).
 * @module
 */
import { ConfigStoreError } from './store.ts';
import type { ConfigStore } from './store.ts';

interface Watcher {
  readonly prefix: string;
  readonly onChange: (keys: readonly string[]) => void;
}

/** Keys are normalised like Consul's: leading and trailing `/` trimmed. */
export function normalizeKey(key: string): string {
  return key.replace(/^\/+|\/+$/g, '');
}

/** True when `key` is `prefix` itself or lies under it (`prefix/…`); the empty prefix holds everything. */
export function underPrefix(key: string, prefix: string): boolean {
  const p = normalizeKey(prefix);
  return p === '' || key === p || key.startsWith(`${p}/`);
}

/** A ConfigStore over a Map; writes bump one global index, as Consul's ModifyIndex does. */
export class MemoryConfigStore implements ConfigStore {
  readonly uri: string;
  private readonly values = new Map<string, string>();
  private readonly indexes = new Map<string, bigint>();
  private readonly watchers = new Set<Watcher>();
  private index = 0n;
  private closed = false;

  constructor(initial: Readonly<Record<string, string>> = {}, uri = 'memory://') {
    this.uri = uri;
    for (const [k, v] of Object.entries(initial)) this.write(normalizeKey(k), v);
  }

  get(key: string): Promise<string | undefined> {
    return this.op(() => this.values.get(normalizeKey(key)));
  }

  getRecursive(prefix: string): Promise<Map<string, string>> {
    return this.op(() => {
      const keys = [...this.values.keys()].filter((k) => underPrefix(k, prefix)).sort();
      return new Map(keys.map((k) => [k, this.values.get(k) ?? '']));
    });
  }

  list(prefix: string): Promise<string[]> {
    return this.op(() => {
      const p = normalizeKey(prefix);
      const names = new Set<string>();
      for (const key of this.values.keys()) {
        if (p !== '' && !key.startsWith(`${p}/`)) continue;
        const name = key.slice(p === '' ? 0 : p.length + 1).split('/')[0];
        if (name !== undefined && name !== '') names.add(name);
      }
      return [...names].sort();
    });
  }

  put(key: string, value: string): Promise<void> {
    return this.putMany({ [key]: value });
  }

  putMany(entries: Readonly<Record<string, string>>): Promise<void> {
    return this.op(() => {
      const keys = Object.keys(entries).map(normalizeKey);
      if (keys.some((k) => k === '')) throw new ConfigStoreError('invalid', 'empty configuration key', '');
      for (const [k, v] of Object.entries(entries)) this.write(normalizeKey(k), v);
      this.notify(keys);
    });
  }

  delete(key: string): Promise<void> {
    return this.op(() => {
      const k = normalizeKey(key);
      if (!this.values.delete(k)) return;
      this.indexes.delete(k);
      this.index++;
      this.notify([k]);
    });
  }

  compareAndSwap(key: string, expected: string | undefined, value: string): Promise<boolean> {
    return this.op(() => {
      const k = normalizeKey(key);
      if (this.values.get(k) !== expected) return false;
      this.write(k, value);
      this.notify([k]);
      return true;
    });
  }

  lastIndex(key: string): Promise<bigint> {
    return this.op(() => this.indexes.get(normalizeKey(key)) ?? 0n);
  }

  watch(prefix: string, onChange: (keys: readonly string[]) => void): () => void {
    const watcher = { prefix, onChange };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    return Promise.resolve();
  }

  private write(key: string, value: string): void {
    this.index++;
    this.values.set(key, value);
    this.indexes.set(key, this.index);
  }

  private notify(keys: readonly string[]): void {
    for (const w of this.watchers) {
      const hit = keys.filter((k) => underPrefix(k, w.prefix));
      if (hit.length > 0) queueMicrotask(() => w.onChange(hit));
    }
  }

  /** Runs `fn` if the store is open; failures become rejected promises, never synchronous throws. */
  private op<T>(fn: () => T): Promise<T> {
    try {
      if (this.closed) throw new ConfigStoreError('unavailable', `store ${this.uri} is closed`);
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
