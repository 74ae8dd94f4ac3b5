import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startHeapTrim } from './heap-trim.ts';

/** V8's collector, made reachable in this test process. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('while the heap keeps growing it is collected; once idle it is left alone', async () => {
  let calls = 0;
  const gc = collector();
  const stop = startHeapTrim({ intervalMs: 50, growthBytes: 1 << 20, gc: () => (calls++, gc()) });
  try {
    // A busy agent: short-lived allocations keep coming while the checks run.
    for (let i = 0; i < 10; i++) {
      const garbage = Array.from({ length: 20 }, (_, k) => new Array<number>(20_000).fill(k));
      assert.equal(garbage.length, 20);
      await sleep(30);
    }
    assert.ok(calls >= 1, 'collected while allocations went on');
    await sleep(120); // the last allocations may still be collected once
    const after = calls;
    await sleep(200);
    assert.equal(calls, after, 'an idle heap is left alone');
  } finally {
    stop();
  }
});

test('a heap that does not grow is left alone', async () => {
  let calls = 0;
  const stop = startHeapTrim({ intervalMs: 20, growthBytes: 64 << 20, gc: () => calls++ });
  await sleep(100);
  stop();
  assert.equal(calls, 0);
});

test('the collector defaults to the global gc (--expose-gc); without one nothing is started', async () => {
  const g = globalThis as { gc?: () => void };
  const saved = g.gc;
  let calls = 0;
  try {
    g.gc = () => calls++;
    const stop = startHeapTrim({ intervalMs: 20, growthBytes: 1 });
    const garbage = Array.from({ length: 20 }, (_, k) => new Array<number>(20_000).fill(k));
    assert.equal(garbage.length, 20);
    await sleep(100);
    stop();
    assert.ok(calls >= 1, 'the global collector ran');
    delete g.gc;
    calls = 0;
    const none = startHeapTrim({ intervalMs: 20, growthBytes: 1 });
    g.gc = () => calls++; // a collector appearing later is not picked up: no check was started
    const more = Array.from({ length: 20 }, (_, k) => new Array<number>(20_000).fill(k));
    assert.equal(more.length, 20);
    await sleep(100);
    none();
    assert.equal(calls, 0);
  } finally {
    if (saved === undefined) delete g.gc;
    else g.gc = saved;
  }
});
