import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PromiseLru } from './lru.ts';

test('concurrent gets share one load, the least recently used entry is evicted, failures are retried', async () => {
  const lru = new PromiseLru<string>(2);
  let loads = 0;
  const load = (v: string) => () => {
    loads++;
    return Promise.resolve(v);
  };
  const [a1, a2] = await Promise.all([lru.get('a', load('A')), lru.get('a', load('A'))]);
  assert.deepEqual([a1, a2, loads], ['A', 'A', 1]);
  await lru.get('b', load('B'));
  await lru.get('a', load('A'));
  await lru.get('c', load('C'));
  assert.deepEqual([lru.has('a'), lru.has('b'), lru.has('c'), lru.size], [true, false, true, 2]);
  await assert.rejects(
    lru.get('d', () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await lru.get('d', load('D')), 'D');
});
