/**
 * Nothing of an environment outlives it: a real core (child process, --expose-gc) creates, starts, stops and destroys
 * 10 environments of 500 simulated tasks one after another; the heap after the last destroy stays within a small
 * margin of the heap after the first (one retained environment of 500 tasks is about 0.8 MB).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { timeScale } from '../common/testing/time-scale.ts';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, 'testing', 'heap-cycles.ts');
const MARGIN = 3 * 1024 * 1024;

test('10 environments × 500 tasks created and destroyed: the core heap does not grow with them', async (t) => {
  const limitMs = 240_000 * timeScale();
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, '10', '10', '50'],
    { timeout: limitMs, killSignal: 'SIGKILL' },
  ).catch((e: unknown) => {
    throw new Error(`heap-cycles child did not finish its 10 cycles within ${limitMs} ms: ${String(e)}`);
  });
  const { heaps } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { heaps: number[] };
  assert.equal(heaps.length, 10);
  const first = heaps[0] ?? 0;
  const last = heaps[heaps.length - 1] ?? 0;
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(2);
  t.diagnostic(`heap after each destroy (MB): ${heaps.map(mb).join(', ')}`);
  assert.ok(
    last - first < MARGIN,
    `heap grew ${mb(last - first)} MB from the first destroy to the last (limit ${mb(MARGIN)} MB): ${heaps.map(mb).join(', ')}`,
  );
});
