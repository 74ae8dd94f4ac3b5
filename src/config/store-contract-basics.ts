/**
 * Contract tests, part 1: reads, writes, putMany atomicity, compare-and-swap, lastIndex and odd values.
 * @module
 */
import assert from 'node:assert/strict';
import type { it as testIt } from 'node:test';
import type { ContractContext } from './store-contract-support.ts';
import { ConfigStoreError } from './store.ts';

const isInvalid = (e: unknown): boolean => e instanceof ConfigStoreError && e.code === 'invalid';

/** Registers the basic contract tests. */
export function storeBasics(ctx: ContractContext, it: typeof testIt): void {
  it('gets what was put, overwrites, deletes; absent keys read as undefined', async () => {
    const s = ctx.store;
    assert.equal(await s.get('b1/missing'), undefined);
    await s.put('b1/k', 'one');
    assert.equal(await s.get('b1/k'), 'one');
    await s.put('b1/k', 'two');
    assert.equal(await s.get('b1/k'), 'two');
    await s.delete('b1/k');
    assert.equal(await s.get('b1/k'), undefined);
    await s.delete('b1/k');
    assert.equal(await ctx.another().get('b1/k'), undefined);
  });

  it('trims leading and trailing slashes of keys and refuses empty keys', async () => {
    const s = ctx.store;
    await s.put('/b2/k/', 'v');
    assert.equal(await s.get('b2/k'), 'v');
    await assert.rejects(s.put('/', 'v'), isInvalid);
    await assert.rejects(s.get(''), isInvalid);
  });

  it('lists direct children and reads subtrees with full sorted keys', async () => {
    const s = ctx.store;
    await s.putMany({ 'b3/x/b': '2', 'b3/x/a/deep': '1', 'b3/x/c': '3', 'b3/xy/z': 'no', 'b3/x': 'self' });
    assert.deepEqual(await s.list('b3/x'), ['a', 'b', 'c']);
    assert.deepEqual(await s.list('b3'), ['x', 'xy']);
    assert.deepEqual(await s.list('b3/none'), []);
    const tree = await s.getRecursive('b3/x');
    assert.deepEqual(
      [...tree],
      [
        ['b3/x', 'self'],
        ['b3/x/a/deep', '1'],
        ['b3/x/b', '2'],
        ['b3/x/c', '3'],
      ],
    );
    assert.equal((await s.getRecursive('b3/nothing')).size, 0);
  });

  it('putMany writes all entries, and nothing when one entry is bad', async () => {
    const s = ctx.store;
    await s.putMany({ 'b4/a': '1', 'b4/b': '2' });
    assert.deepEqual(
      [...(await ctx.another().getRecursive('b4'))],
      [
        ['b4/a', '1'],
        ['b4/b', '2'],
      ],
    );
    await assert.rejects(s.putMany({ 'b4/a': 'x', 'b4/c': 'y', '': 'bad' }), isInvalid);
    const badValue = { 'b4/a': 'x', 'b4/d': 42 } as unknown as Record<string, string>;
    await assert.rejects(s.putMany(badValue), isInvalid);
    assert.deepEqual(
      [...(await s.getRecursive('b4'))],
      [
        ['b4/a', '1'],
        ['b4/b', '2'],
      ],
    );
  });

  it('compareAndSwap creates only when absent and replaces only the expected value', async () => {
    const s = ctx.store;
    assert.equal(await s.compareAndSwap('b5/k', undefined, 'v1'), true);
    assert.equal(await s.compareAndSwap('b5/k', undefined, 'v2'), false);
    assert.equal(await s.compareAndSwap('b5/k', 'wrong', 'v2'), false);
    assert.equal(await s.get('b5/k'), 'v1');
    assert.equal(await ctx.another().compareAndSwap('b5/k', 'v1', 'v2'), true);
    assert.equal(await s.get('b5/k'), 'v2');
    assert.equal(await s.compareAndSwap('b5/absent', 'v', 'w'), false);
    assert.equal(await s.get('b5/absent'), undefined);
    assert.equal(await s.compareAndSwap('b5/empty', undefined, ''), true);
    assert.equal(await s.compareAndSwap('b5/empty', undefined, 'x'), false);
    assert.equal(await s.compareAndSwap('b5/empty', '', 'x'), true);
  });

  it('lastIndex is 0 when absent and grows with every write of the key', async () => {
    const s = ctx.store;
    assert.equal(await s.lastIndex('b6/k'), 0n);
    await s.put('b6/k', 'a');
    const first = await s.lastIndex('b6/k');
    assert.ok(first > 0n);
    await s.put('b6/other', 'x');
    assert.equal(await s.lastIndex('b6/k'), first);
    await s.put('b6/k', 'a');
    const second = await ctx.another().lastIndex('b6/k');
    assert.ok(second > first);
    await s.compareAndSwap('b6/k', 'a', 'b');
    assert.ok((await s.lastIndex('b6/k')) > second);
    await s.delete('b6/k');
    assert.equal(await s.lastIndex('b6/k'), 0n);
  });

  it('keeps values with newlines, tabs, unicode and size exactly', async () => {
    const s = ctx.store;
    const odd = 'line 1\nline 2\r\n\ttabbed  \n  ünïcødé ✓ 日本語 🚀\u0000end\n';
    const big = 'x'.repeat(200_000) + '\n' + '€'.repeat(10_000);
    await s.putMany({ 'b7/odd': odd, 'b7/ключ/日本': 'key', 'b7/big': big, 'b7/empty': '' });
    const other = ctx.another();
    assert.equal(await other.get('b7/odd'), odd);
    assert.equal(await other.get('b7/ключ/日本'), 'key');
    assert.equal(await other.get('b7/big'), big);
    assert.equal(await other.get('b7/empty'), '');
    assert.deepEqual(await other.list('b7'), ['big', 'empty', 'odd', 'ключ']);
  });
}
