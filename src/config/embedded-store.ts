/**
 * The embedded configuration store: the key space of one directory (default `<stateDir>/config`) kept in a SQLite
 * database in WAL mode (embedded-store-db.ts: schema, durability, the one-time import of the old data file). Several
 * processes may share the directory: each write is one immediate transaction, writers wait for each other up to the
 * busy timeout, readers read the last commit. Watches poll the database's generation (embedded-store-watch.ts).
 * The directory is created 0700, the database files 0600.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CounterBatcher } from './counter-batch.ts';
import { DB_FILE, StoreDb } from './embedded-store-db.ts';
import type { StoreDbOptions, Writer } from './embedded-store-db.ts';
import { GenerationWatch } from './embedded-store-watch.ts';
import { normalizeKey } from './memory-store.ts';
import { ConfigStoreError, counterAfter } from './store.ts';
import type { ConfigStore } from './store.ts';

export interface EmbeddedStoreOptions {
  /** Poll period of `watch` for writes of other clients and processes (ms); default 100. */
  readonly pollMs?: number;
  /** How long a write waits for another process's write to finish before failing as unavailable (ms); default 10,000. */
  readonly busyTimeoutMs?: number;
  /**
   * How many generations (writes) a deleted key is remembered for watches; default 100,000. A watch that falls
   * further behind (its process stalled) is told every key under its prefix instead of the changed ones.
   */
  readonly tombstoneGenerations?: number;
}

/** The embedded store's directory inside Axle's state directory. */
export function embeddedStoreDir(stateDir: string): string {
  return join(stateDir, 'config');
}

/** A ConfigStore in `dir` (created if missing, the database opened at first use); `uri` is `embedded://<abs dir>`. */
export class EmbeddedConfigStore implements ConfigStore {
  readonly uri: string;
  private readonly dir: string;
  private readonly dbOptions: StoreDbOptions;
  private readonly watchHub: GenerationWatch;
  private readonly counters = new CounterBatcher((key, n) => this.addToCounter(key, n));
  private opened: StoreDb | undefined;
  private closed = false;

  constructor(dir: string, options: EmbeddedStoreOptions = {}) {
    const abs = resolve(dir);
    try {
      mkdirSync(abs, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new ConfigStoreError('io', `cannot create configuration store directory ${abs}: ${String(e)}`);
    }
    this.uri = `embedded://${abs}`;
    this.dir = abs;
    this.dbOptions = {
      busyTimeoutMs: options.busyTimeoutMs ?? 10_000,
      tombstoneGenerations: options.tombstoneGenerations ?? 100_000,
    };
    this.watchHub = new GenerationWatch(
      { generation: () => this.db().generation(), changesSince: (since) => this.db().changesSince(since) },
      options.pollMs ?? 100,
    );
  }

  get(key: string): Promise<string | undefined> {
    return this.run(() => this.db().get(validKey(key)));
  }

  getRecursive(prefix: string): Promise<Map<string, string>> {
    return this.run(() => new Map(this.db().entries(normalizeKey(prefix)).sort(byKey)));
  }

  list(prefix: string): Promise<string[]> {
    const p = normalizeKey(prefix);
    return this.run(() =>
      childNames(
        this.db()
          .entries(p)
          .map(([k]) => k),
        p,
      ),
    );
  }

  put(key: string, value: string): Promise<void> {
    return this.putMany({ [key]: value });
  }

  putMany(entries: Readonly<Record<string, string>>): Promise<void> {
    return this.write((w) => {
      for (const [k, v] of validEntries(entries)) w.set(k, v);
    });
  }

  delete(key: string): Promise<void> {
    return this.write((w) => {
      const k = validKey(key);
      if (w.get(k) !== undefined) w.set(k, null);
    });
  }

  compareAndSwap(key: string, expected: string | undefined, value: string): Promise<boolean> {
    return this.write((w) => {
      const k = validKey(key);
      const v = validValue(k, value);
      if (w.get(k) !== expected) return false;
      w.set(k, v);
      return true;
    });
  }

  /**
   * Atomic increment (see ConfigStore.increment). Concurrent requests of this client are batched: one transaction
   * (one sync of the WAL) raises the counter by the number of waiting requests.
   */
  increment(key: string): Promise<number> {
    return this.counters.next(key);
  }

  /** One transaction: raises the counter at `key` by `n`; returns the first of the n values. */
  private addToCounter(key: string, n: number): Promise<number> {
    return this.write((w) => {
      const k = validKey(key);
      const first = counterAfter(w.get(k));
      w.set(k, String(first + n - 1));
      return first;
    });
  }

  lastIndex(key: string): Promise<bigint> {
    return this.run(() => BigInt(this.db().index(validKey(key))));
  }

  watch(prefix: string, onChange: (keys: readonly string[]) => void): () => void {
    this.checkOpen();
    return this.watchHub.add(prefix, onChange);
  }

  close(): Promise<void> {
    this.closed = true;
    this.watchHub.stop();
    const db = this.opened;
    this.opened = undefined;
    return this.run(() => db?.close(), false);
  }

  /** Runs `fn` in one write transaction, then lets this client's watches see the change. */
  private write<T>(fn: (w: Writer) => T): Promise<T> {
    return this.run(() => {
      const result = this.db().transact(fn);
      this.watchHub.check();
      return result;
    });
  }

  /** The database, opened at first use (an open that failed is tried again by the next call). */
  private db(): StoreDb {
    this.checkOpen();
    this.opened ??= StoreDb.open(this.dir, this.dbOptions);
    return this.opened;
  }

  /** Runs `fn`; its result or failure (SQLite errors mapped to ConfigStoreError) as a promise. */
  private run<T>(fn: () => T, needOpen = true): Promise<T> {
    try {
      if (needOpen) this.checkOpen();
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(storeError(e, join(this.dir, DB_FILE), this.dbOptions.busyTimeoutMs));
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ConfigStoreError('unavailable', `store ${this.uri} is closed`);
  }
}

/** A ConfigStoreError for `e`: SQLITE_BUSY (another writer held the lock too long) is unavailable, others io. */
function storeError(e: unknown, file: string, busyTimeoutMs: number): ConfigStoreError {
  if (e instanceof ConfigStoreError) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : String(e);
  if (code.startsWith('SQLITE_BUSY')) {
    return new ConfigStoreError(
      'unavailable',
      `configuration store ${file} stayed locked by another writer for ${busyTimeoutMs} ms: ${message}`,
    );
  }
  return new ConfigStoreError('io', `configuration store ${file}: ${message}`);
}

/** Orders entries by key as JavaScript sorts strings (UTF-16 code units), as the other stores do. */
function byKey([a]: [string, string], [b]: [string, string]): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
