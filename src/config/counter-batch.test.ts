import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CounterBatcher } from './counter-batch.ts';

describe('CounterBatcher', () => {
  it('serves concurrent requests with one write per batch, in request order', async () => {
    let counter = 0;
    const writes: number[] = [];
    const batcher = new CounterBatcher(async (_key, n) => {
      writes.push(n);
      await new Promise((resolve) => setTimeout(resolve, 5));
      counter += n;
      return counter - n + 1;
    });
    const first = await Promise.all(Array.from({ length: 100 }, () => batcher.next('k')));
    assert.deepEqual(
      first,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.deepEqual(writes, [100]);
    const a = batcher.next('k');
    await Promise.resolve();
    await Promise.resolve();
    const later = [batcher.next('k'), batcher.next('k')];
    assert.deepEqual(await Promise.all([a, ...later]), [101, 102, 103]);
    assert.deepEqual(writes, [100, 1, 2], 'requests made during a write wait for the next one');
  });

  it('rejects every request of a failed write; later requests are served', async () => {
    let fail = true;
    const batcher = new CounterBatcher((_key, _n) =>
      fail ? Promise.reject(new Error('disk gone')) : Promise.resolve(7),
    );
    const results = await Promise.allSettled([batcher.next('k'), batcher.next('k')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.deepEqual(await Promise.all([batcher.next('k'), batcher.next('k')]), [7, 8]);
  });
});
