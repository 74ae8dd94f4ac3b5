/**
 * The etcd configuration store (npm etcd3): keys are etcd keys as they are (no namespace), compare-and-swap and
 * putMany are single etcd transactions, getRecursive is a prefix range, watch is an etcd watch and lastIndex is the
 * key's mod_revision. Connection failures are retried with a bounded backoff (etcd-store-retry.ts), then reported
 * as ConfigStoreError('unavailable') naming the endpoint.
 * @module
 */
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { IKeyValue, IRequestOp, Watcher } from 'etcd3';
import { CounterBatcher } from './counter-batch.ts';
import { childNames, validEntries } from './embedded-store.ts';
import { callEtcd } from './etcd-store-retry.ts';
import type { RetryOptions } from './etcd-store-retry.ts';
import { normalizeKey, underPrefix } from './memory-store.ts';
import { ConfigStoreError, counterAfter } from './store.ts';
import type { ConfigStore } from './store.ts';

export interface EtcdStoreOptions extends Partial<RetryOptions> {
  /** Deadline of one unary call (ms); default 5000. */
  readonly callTimeoutMs?: number;
}

const COUNTER_ATTEMPTS = 10_000;

/** Parses `etcd://host:port[,host:port…]` into gRPC endpoints (`http://host:port`); throws ConfigStoreError('invalid'). */
export function etcdEndpoints(uri: string): string[] {
  const match = /^etcd:\/\/([^/?#]+)\/?$/.exec(uri.trim());
  const hosts = match?.[1]?.split(',').filter((h) => /^[^:\s]+:\d+$/.test(h)) ?? [];
  if (match === null || hosts.length === 0) {
    throw new ConfigStoreError('invalid', `bad etcd URI "${uri}" (want etcd://host:port)`);
  }
  return hosts.map((h) => `http://${h}`);
}

/** A ConfigStore on the etcd cluster at `uri` (`etcd://127.0.0.1:2379`). */
export class EtcdConfigStore implements ConfigStore {
  readonly uri: string;
  private readonly client: Etcd3;
  private readonly retry: Partial<RetryOptions>;
  private readonly watchers = new Set<Watcher>();
  private readonly counters = new CounterBatcher((key, n) => this.addToCounter(key, n));
  /** Per counter key, the last value this client wrote or read (a guess for the next compare-and-swap). */
  private readonly counterSeen = new Map<string, string | undefined>();

  constructor(uri: string, options: EtcdStoreOptions = {}) {
    this.uri = uri;
    const timeout = options.callTimeoutMs ?? 5000;
    this.client = new Etcd3({
      hosts: etcdEndpoints(uri),
      dialTimeout: timeout,
      faultHandling: { host: () => noop, global: noop },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    this.retry = options;
  }

  async get(key: string): Promise<string | undefined> {
    const k = validKey(key);
    const res = await this.call('read', k, () => this.client.get(k).exec());
    return res.kvs[0]?.value.toString('utf8');
  }

  async getRecursive(prefix: string): Promise<Map<string, string>> {
    const p = normalizeKey(prefix);
    const range = p === '' ? this.client.getAll() : this.client.getAll().prefix(p);
    const res = await this.call('read', p, () => range.exec());
    const found = res.kvs.map((kv) => [kv.key.toString('utf8'), kv.value.toString('utf8')] as const);
    const under = found.filter(([k]) => underPrefix(k, p)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new Map(under);
  }

  async list(prefix: string): Promise<string[]> {
    const p = normalizeKey(prefix);
    const range = p === '' ? this.client.getAll() : this.client.getAll().prefix(`${p}/`);
    const keys = await this.call('read', p, () => range.keys());
    return childNames(keys, p);
  }

  put(key: string, value: string): Promise<void> {
    return this.putMany({ [key]: value });
  }

  async putMany(entries: Readonly<Record<string, string>>): Promise<void> {
    const valid = validEntries(entries);
    if (valid.size === 0) return;
    const ops: IRequestOp[] = [...valid].map(([key, value]) => ({
      request_put: { key: Buffer.from(key), value: Buffer.from(value) },
    }));
    await this.call('write', [...valid.keys()][0] ?? '', () => this.client.kv.txn({ success: ops }));
  }

  async delete(key: string): Promise<void> {
    const k = validKey(key);
    await this.call('write', k, () => this.client.delete().key(k).exec());
  }

  async compareAndSwap(key: string, expected: string | undefined, value: string): Promise<boolean> {
    const k = validKey(key);
    const [v] = validEntries({ [k]: value }).values();
    const txn = () =>
      (expected === undefined
        ? this.client.if(k, 'Create', '==', 0)
        : this.client.if(k, 'Value', '==', Buffer.from(expected))
      )
        .then(this.client.put(k).value(v ?? ''))
        .commit();
    const res = await this.call('write', k, txn);
    return res.succeeded;
  }

  /**
   * Atomic increment (see ConfigStore.increment): one etcd transaction per attempt that writes the counter if it still
   * holds the last value this client saw and otherwise reads it back for the next attempt. Concurrent requests of
   * this client are batched into one transaction.
   */
  increment(key: string): Promise<number> {
    try {
      return this.counters.next(validKey(key));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async lastIndex(key: string): Promise<bigint> {
    const k = validKey(key);
    const res = await this.call('read', k, () => this.client.get(k).exec());
    return BigInt(res.kvs[0]?.mod_revision ?? 0);
  }

  watch(prefix: string, onChange: (keys: readonly string[]) => void): () => void {
    const p = normalizeKey(prefix);
    let watcher: Watcher | undefined;
    let cancelled = false;
    const builder = p === '' ? this.client.watch().prefix('') : this.client.watch().prefix(p);
    builder
      .create()
      .then((w) => {
        watcher = w;
        if (cancelled) return void w.cancel().catch(() => undefined);
        this.watchers.add(w);
        w.on('data', (res) =>
          deliver(
            res.events.map((e) => e.kv),
            p,
            onChange,
          ),
        );
        w.on('error', () => undefined);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
      if (watcher === undefined) return;
      this.watchers.delete(watcher);
      watcher.cancel().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.watchers].map((w) => w.cancel().catch(() => undefined)));
    this.watchers.clear();
    this.client.close();
  }

  /** Raises the counter at `key` by `n` (compare-and-swap on its value); returns the first of the n values. */
  private async addToCounter(key: string, n: number): Promise<number> {
    let current = this.counterSeen.get(key);
    for (let attempt = 0; attempt < COUNTER_ATTEMPTS; attempt++) {
      const first = counterAfter(current);
      const last = String(first + n - 1);
      const expected = current;
      const txn = () =>
        (expected === undefined
          ? this.client.if(key, 'Create', '==', 0)
          : this.client.if(key, 'Value', '==', Buffer.from(expected))
        )
          .then(this.client.put(key).value(last))
          .else(this.client.get(key))
          .commit();
      const res = await this.call('write', key, txn);
      if (res.succeeded) {
        this.counterSeen.set(key, last);
        return first;
      }
      current = res.responses[0]?.response_range.kvs[0]?.value.toString('utf8');
    }
    throw new ConfigStoreError(
      'unavailable',
      `could not increment ${key} after ${COUNTER_ATTEMPTS} attempts`,
      key,
    );
  }

  private call<T>(kind: 'read' | 'write', key: string, op: () => Promise<T>): Promise<T> {
    return callEtcd(this.uri, kind, key, op, this.retry);
  }
}

function deliver(
  kvs: readonly IKeyValue[],
  prefix: string,
  onChange: (keys: readonly string[]) => void,
): void {
  const keys = [...new Set(kvs.map((kv) => kv.key.toString('utf8')))].filter((k) => underPrefix(k, prefix));
  if (keys.length > 0) onChange(keys.sort());
}

function validKey(key: string): string {
  const [k] = validEntries({ [key]: '' }).keys();
  return k ?? '';
}
