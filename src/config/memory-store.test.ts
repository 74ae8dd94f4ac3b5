import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryConfigStore } from './memory-store.ts';
import { flattenTree, treeFromEntries, treeToPlain } from './apricot-tree.ts';
import { newRunNumber } from './store.ts';

test('memory store: get, list, recursive reads, CAS, indexes and watches', async () => {
  const s = new MemoryConfigStore({ '/a/b/c': '1', 'a/b/d': '2', 'a/e': '3', ab: 'x' });
  assert.equal(await s.get('a/b/c'), '1');
  assert.deepEqual(await s.list('a'), ['b', 'e']);
  assert.deepEqual(await s.list(''), ['a', 'ab']);
  assert.deepEqual([...(await s.getRecursive('a/b')).keys()], ['a/b/c', 'a/b/d']);
  assert.equal(await s.compareAndSwap('a/e', '0', '4'), false);
  assert.equal(await s.compareAndSwap('a/e', '3', '4'), true);
  assert.equal(await s.compareAndSwap('new', undefined, 'n'), true);
  const i1 = await s.lastIndex('a/e');
  await s.put('a/e', '5');
  assert.ok((await s.lastIndex('a/e')) > i1);
  assert.equal(await s.lastIndex('none'), 0n);
  const seen: string[] = [];
  const stop = s.watch('a', (keys) => seen.push(...keys));
  await s.putMany({ 'a/x': '1', 'z/y': '2' });
  await s.delete('a/x');
  await sleep(5);
  assert.deepEqual(seen, ['a/x', 'a/x']);
  stop();
  await Promise.all(Array.from({ length: 100 }, () => newRunNumber(s)));
  assert.equal(await s.get('o2/runtime/run_number'), '100');
  await s.close();
  await assert.rejects(s.get('a'), /closed/);
});

test('trees flatten to keys (empty maps kept) and rebuild', () => {
  const tree = new Map<string, string | Map<string, unknown>>([
    [
      'flps',
      new Map([
        ['flp1', new Map()],
        ['flp2', new Map([['aliases', '{}']])],
      ]),
    ],
    ['v', 'x'],
  ]) as never;
  const flat = flattenTree(tree, 'o2/hardware');
  assert.deepEqual(flat, {
    'o2/hardware/flps/flp1': '',
    'o2/hardware/flps/flp2/aliases': '{}',
    'o2/hardware/v': 'x',
  });
  const back = treeFromEntries(new Map([...Object.entries(flat), ['o2/hardware/flps/flp2', '']]), 'o2');
  assert.deepEqual(treeToPlain(back), { hardware: { flps: { flp1: '', flp2: { aliases: '{}' } }, v: 'x' } });
});
