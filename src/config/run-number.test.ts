import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EmbeddedConfigStore } from './embedded-store.ts';
import { MemoryConfigStore } from './memory-store.ts';
import { ConfigStoreError, RUN_NUMBER_KEY, newRunNumber } from './store.ts';

/** A store whose compareAndSwap always loses. */
class LosingStore extends MemoryConfigStore {
  override compareAndSwap(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

describe('newRunNumber', () => {
  it('creates the counter at 0, so the first run is 1, then counts on from the stored value', async () => {
    const store = new MemoryConfigStore();
    assert.equal(await newRunNumber(store), 1);
    assert.equal(await newRunNumber(store), 2);
    await store.put(RUN_NUMBER_KEY, ' 41\n');
    assert.equal(await newRunNumber(store), 42);
    assert.equal(await store.get(RUN_NUMBER_KEY), '42');
  });

  it('restarts from 0 when the stored value is not a number', async () => {
    const store = new MemoryConfigStore({ [RUN_NUMBER_KEY]: 'garbage' });
    assert.equal(await newRunNumber(store), 1);
  });

  it('gives 1,000 concurrent callers of one process distinct gap-free numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axle-run-'));
    const store = new EmbeddedConfigStore(dir);
    const numbers = await Promise.all(Array.from({ length: 1000 }, () => newRunNumber(store)));
    assert.deepEqual(
      numbers,
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails as unavailable after maxAttempts lost swaps, and later requests still run', async () => {
    const losing = new LosingStore();
    const first = newRunNumber(losing, 5);
    const second = newRunNumber(losing, 3);
    for (const p of [first, second]) {
      await assert.rejects(
        p,
        (e) => e instanceof ConfigStoreError && e.code === 'unavailable' && /5|3/.test(e.message),
      );
    }
    const fine = new MemoryConfigStore();
    assert.equal(await newRunNumber(fine), 1);
  });
});
