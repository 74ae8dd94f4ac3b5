/**
 * The embedded configuration store: the key space of one directory (default `<stateDir>/config`) kept in a single
 * data file replaced atomically on every write (embedded-store-file.ts). Several processes may share the directory:
 * writes are serialized by a kernel file lock (embedded-store-lock.ts) and re-read the file under it, reads check
 * the file's generation (one open and a 30-byte read) and re-read it only when another writer changed it.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emptySnapshot, readSnapshot, writeSnapshot } from './embedded-store-file.ts';
import type { Snapshot, StoredEntry } from './embedded-store-file.ts';
import { FileLock } from './embedded-store-lock.ts';
import { SnapshotWatch } from './embedded-store-watch.ts';
import { normalizeKey, underPrefix } from './memory-store.ts';
import { ConfigStoreError } from './store.ts';
import type { ConfigStore } from './store.ts';

const DATA_FILE = 'store.data';
const LOCK_FILE = 'store.lock';

export interface EmbeddedStoreOptions {
  /** Poll period of `watch` when fs.watch misses an event (ms); default 200. */
  readonly pollMs?: number;
}

/** The embedded store's directory inside Axle's state directory. */
export function embeddedStoreDir(stateDir: string): string {
  return join(stateDir, 'config');
}

/** A ConfigStore in `dir` (created if missing); `uri` is `embedded://<absolute dir>`. */
export class EmbeddedConfigStore implements ConfigStore {
  readonly uri: string;
  private readonly file: string;
  private readonly lock: FileLock;
  private readonly watchHub: SnapshotWatch;
  private cache: Snapshot = emptySnapshot();
  private closed = false;

  constructor(dir: string, options: EmbeddedStoreOptions = {}) {
    const abs = resolve(dir);
    try {
      mkdirSync(abs, { recursive: true });
    } catch (e) {
      throw new ConfigStoreError('io', `cannot create configuration store directory ${abs}: ${String(e)}`);
    }
    this.uri = `embedded://${abs}`;
    this.file = join(abs, DATA_FILE);
    this.lock = new FileLock(join(abs, LOCK_FILE));
    this.watchHub = new SnapshotWatch(this.file, () => this.fresh(), options.pollMs ?? 200);
  }

  get(key: string): Promise<string | undefined> {
    return settle(() => this.fresh().entries.get(validKey(key))?.value);
  }

  getRecursive(prefix: string): Promise<Map<string, string>> {
    return settle(() => {
      const { entries } = this.fresh();
      const keys = [...entries.keys()].filter((k) => underPrefix(k, prefix)).sort();
      return new Map(keys.map((k) => [k, entries.get(k)?.value ?? '']));
    });
  }

  list(prefix: string): Promise<string[]> {
    return settle(() => childNames(this.fresh().entries.keys(), normalizeKey(prefix)));
  }

  put(key: string, value: string): Promise<void> {
    return this.putMany({ [key]: value });
  }

  async putMany(entries: Readonly<Record<string, string>>): Promise<void> {
    const valid = validEntries(entries);
    await this.mutate((map, index) => {
      for (const [k, value] of valid) map.set(k, { index, value });
      return [[...valid.keys()], undefined];
    });
  }

  async delete(key: string): Promise<void> {
    const k = validKey(key);
    await this.mutate((map) => [map.delete(k) ? [k] : [], undefined]);
  }

  async compareAndSwap(key: string, expected: string | undefined, value: string): Promise<boolean> {
    const k = validKey(key);
    const v = validValue(k, value);
    if (this.fresh().entries.get(k)?.value !== expected) return false;
    return await this.mutate((map, index) => {
      if (map.get(k)?.value !== expected) return [[], false];
      map.set(k, { index, value: v });
      return [[k], true];
    });
  }

  lastIndex(key: string): Promise<bigint> {
    return settle(() => BigInt(this.fresh().entries.get(validKey(key))?.index ?? 0));
  }

  watch(prefix: string, onChange: (keys: readonly string[]) => void): () => void {
    this.checkOpen();
    return this.watchHub.add(prefix, onChange);
  }

  close(): Promise<void> {
    this.closed = true;
    this.watchHub.stop();
    this.lock.close();
    return Promise.resolve();
  }

  /** The current snapshot: the cache when the file's generation did not move. */
  private fresh(): Snapshot {
    this.checkOpen();
    const read = readSnapshot(this.file, this.cache.generation);
    if (read !== 'unchanged') this.cache = read;
    return this.cache;
  }

  /** Applies `change` to a copy of the current entries under the lock and writes it when it changed keys. */
  private mutate<T>(change: (entries: Map<string, StoredEntry>, index: number) => [string[], T]): Promise<T> {
    this.checkOpen();
    return this.lock.withLock(async () => {
      const current = this.fresh();
      const generation = current.generation + 1;
      const entries = new Map(current.entries);
      const [changed, result] = change(entries, generation);
      if (changed.length === 0) return result;
      const next = { generation, entries };
      await writeSnapshot(this.file, next);
      this.cache = next;
      this.watchHub.check(next);
      return result;
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new ConfigStoreError('unavailable', `store ${this.uri} is closed`);
  }
}

/** Runs `fn` and turns its result or throw into a promise. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

function validKey(key: string): string {
  const k = typeof key === 'string' ? normalizeKey(key) : '';
  if (k === '') throw new ConfigStoreError('invalid', `bad configuration key "${String(key)}"`, String(key));
  return k;
}

function validValue(key: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new ConfigStoreError('invalid', `value of configuration key ${key} is not a string`, key);
  }
  return value;
}

/** Validates every entry before anything is written; the normalized key → value. */
export function validEntries(entries: Readonly<Record<string, string>>): Map<string, string> {
  const valid = new Map<string, string>();
  for (const [key, value] of Object.entries(entries)) {
    const k = validKey(key);
    valid.set(k, validValue(k, value));
  }
  return valid;
}

/** Sorted unique names of the direct children of `prefix` among `keys`. */
export function childNames(keys: Iterable<string>, prefix: string): string[] {
  const names = new Set<string>();
  for (const key of keys) {
    if (prefix !== '' && !key.startsWith(`${prefix}/`)) continue;
    const name = key.slice(prefix === '' ? 0 : prefix.length + 1).split('/')[0];
    if (name !== undefined && name !== '') names.add(name);
  }
  return [...names].sort();
}
