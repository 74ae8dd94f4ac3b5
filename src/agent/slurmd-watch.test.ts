import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { findSlurmd, watchSlurmd } from './slurmd-watch.ts';

/** A process that looks like `slurmd … -N <node>` in /proc (argv[0] slurmd). */
function fakeSlurmd(node: string): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', '-N', node], {
    argv0: 'slurmd',
    stdio: 'ignore',
  });
}

test('finds the slurmd started for a node and calls back once it has exited', async () => {
  const node = `axletest${process.pid}`;
  const other = fakeSlurmd(`${node}x`);
  const mine = fakeSlurmd(node);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(findSlurmd(node), mine.pid);
    const gone = new Promise<number>((resolve) => {
      assert.ok(watchSlurmd(node, resolve, 50) !== undefined, 'watching');
    });
    mine.kill('SIGKILL');
    assert.equal(await gone, mine.pid);
  } finally {
    other.kill('SIGKILL');
    mine.kill('SIGKILL');
  }
});

test('no slurmd of the node visible: nothing is watched', () => {
  assert.equal(
    watchSlurmd(`nonode${process.pid}`, () => assert.fail('called')),
    undefined,
  );
});

test("a sole slurmd started for another node is not this node's", async () => {
  const other = fakeSlurmd(`axleother${process.pid}`);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(findSlurmd(`nonode${process.pid}`), undefined);
  } finally {
    other.kill('SIGKILL');
  }
});
