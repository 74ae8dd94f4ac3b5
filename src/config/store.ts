/**
 * The configuration store: a flat key-value space with AliECS's key layout (`o2/components/…`, `o2/hardware/…`,
 * `o2/runtime/…`). Values are strings. Implementations: the embedded store (files in the state directory) and etcd.
 * Every implementation passes the same contract suite (store-contract.ts). Errors are ConfigStoreError.
 */

export interface ConfigStore {
  /** Where the store is, for messages: `embedded:///state/config`, `etcd://127.0.0.1:2379`. */
  readonly uri: string;
  get(key: string): Promise<string | undefined>;
  /** Every key under `prefix` (full keys, sorted) with its value. */
  getRecursive(prefix: string): Promise<Map<string, string>>;
  /** Names of the direct children of `prefix` (the next path segment), sorted and unique. */
  list(prefix: string): Promise<string[]>;
  put(key: string, value: string): Promise<void>;
  /** Writes all entries atomically: all or none. */
  putMany(entries: Readonly<Record<string, string>>): Promise<void>;
  delete(key: string): Promise<void>;
  /** Sets `key` to `value` only if its current value is `expected` (undefined = absent); true when it did. */
  compareAndSwap(key: string, expected: string | undefined, value: string): Promise<boolean>;
  /** A number that grows with every write of `key` (Consul's ModifyIndex, etcd's mod_revision); 0n if absent. */
  lastIndex(key: string): Promise<bigint>;
  /** Calls `onChange` with the changed keys after writes under `prefix`, also writes made by other processes. */
  watch(prefix: string, onChange: (keys: readonly string[]) => void): () => void;
  /**
   * Optional atomic counter: sets `key` to `counterAfter(current value)` and returns it, atomically also against
   * other processes, without the get + compareAndSwap round trips. newRunNumber uses it when present.
   */
  increment?(key: string): Promise<number>;
  close(): Promise<void>;
}

export type ConfigStoreErrorCode = 'unavailable' | 'invalid' | 'io';

export class ConfigStoreError extends Error {
  override readonly name = 'ConfigStoreError';
  constructor(
    readonly code: ConfigStoreErrorCode,
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

export const RUN_NUMBER_KEY = 'o2/runtime/run_number';

/** Per store, the tail of this process's queue of run-number requests. */
const runNumberQueues = new WeakMap<ConfigStore, Promise<unknown>>();

/** The value a counter takes after `current`: its number plus one; absent or not a number counts as 0. */
export function counterAfter(current: string | undefined): number {
  return (current === undefined ? 0 : Number(current.trim()) || 0) + 1;
}

/**
 * Atomically increments the run number (created at 0 if absent) and returns the new value: through the store's
 * `increment` when it has one, otherwise by compare-and-swap. Compare-and-swap requests of one process on one store
 * are queued (so 1,000 concurrent callers do not all race the same compare-and-swap); processes race each other.
 */
export function newRunNumber(store: ConfigStore, maxAttempts = 10_000): Promise<number> {
  if (store.increment !== undefined) return store.increment(RUN_NUMBER_KEY);
  const previous = runNumberQueues.get(store) ?? Promise.resolve();
  const next = previous.then(
    () => incrementRunNumber(store, maxAttempts),
    () => incrementRunNumber(store, maxAttempts),
  );
  runNumberQueues.set(store, next);
  return next;
}

async function incrementRunNumber(store: ConfigStore, maxAttempts: number): Promise<number> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await store.get(RUN_NUMBER_KEY);
    const next = counterAfter(current);
    if (await store.compareAndSwap(RUN_NUMBER_KEY, current, String(next))) return next;
  }
  throw new ConfigStoreError(
    'unavailable',
    `could not increment ${RUN_NUMBER_KEY} after ${maxAttempts} attempts`,
    RUN_NUMBER_KEY,
  );
}
