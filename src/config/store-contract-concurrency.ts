/**
 * Contract tests, part 2: watches (another client, another process) and run numbers from 4 processes.
 * @module
 */
import assert from 'node:assert/strict';
import type { it as testIt } from 'node:test';
import { eventually, runChild } from './store-contract-support.ts';
import type { ContractContext } from './store-contract-support.ts';
import { RUN_NUMBER_KEY } from './store.ts';
import type { ConfigStore } from './store.ts';

/** Registers the watch and run-number contract tests. */
export function storeConcurrency(ctx: ContractContext, it: typeof testIt): void {
  it('watch reports writes and deletes of another client under the prefix only', async () => {
    const seen: string[] = [];
    const stop = ctx.another().watch('c1/w', (keys) => seen.push(...keys));
    const writer = ctx.another();
    try {
      await watchStarted(writer, 'c1/w/ready', seen);
      await writer.put('c1/other', 'no');
      await writer.putMany({ 'c1/w/a': '1', 'c1/w/b/c': '2' });
      await writer.delete('c1/w/ready');
      await eventually(
        () => ['c1/w/a', 'c1/w/b/c'].every((k) => seen.includes(k)) && seen.includes('c1/w/ready'),
        'the watch to report the writes',
      );
      assert.ok(!seen.includes('c1/other'));
    } finally {
      stop();
    }
    const before = seen.length;
    await writer.put('c1/w/after', 'x');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(seen.length, before, 'no calls after the watch is stopped');
  });

  it('watch reports a write made by another process', async () => {
    const seen: string[] = [];
    const stop = ctx.store.watch('c2', (keys) => seen.push(...keys));
    try {
      await watchStarted(ctx.store, 'c2/ready', seen);
      const { child } = ctx.fixture;
      await runChild({ ...child, action: 'put', key: 'c2/from-child', value: 'hello' });
      await eventually(() => seen.includes('c2/from-child'), 'the child write to be reported', 3000);
      assert.equal(await ctx.store.get('c2/from-child'), 'hello');
    } finally {
      stop();
    }
  });

  it('newRunNumber: 4 processes × 1,000 concurrent requests give 4,000 distinct gap-free numbers', async () => {
    const start = Number((await ctx.store.get(RUN_NUMBER_KEY)) ?? '0');
    const { child } = ctx.fixture;
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => runChild<number[]>({ ...child, action: 'run-numbers', count: 1000 })),
    );
    const all = results.flat().sort((a, b) => a - b);
    assert.equal(all.length, 4000);
    assert.deepEqual(
      all,
      Array.from({ length: 4000 }, (_, i) => start + i + 1),
    );
    for (const numbers of results)
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
      );
    assert.equal(await ctx.store.get(RUN_NUMBER_KEY), String(start + 4000));
  });
}

/** Writes `key` until the watch reports it (a watch may be established asynchronously, as etcd's is). */
async function watchStarted(store: ConfigStore, key: string, seen: readonly string[]): Promise<void> {
  for (let i = 0; i < 100 && !seen.includes(key); i++) {
    await store.put(key, String(i));
    await new Promise((resolve) => setTimeout(resolve, 20 + i * 5));
  }
  await eventually(() => seen.includes(key), `the watch to report ${key}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  (seen as string[]).length = 0;
}
