import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { timeScale } from '../common/testing/time-scale.ts';
import { groupAlive, isAlive, terminateGroup, trackedGroups } from './process-group.ts';
import { launchProcess } from './task-process.ts';
import type { TaskProcess } from './task-process.ts';
import { commandSpec, pidFromFile, survivors, tempDir } from './test-fixtures.ts';

const dir = tempDir();
const pids: number[] = [];
after(() => {
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  dir.remove();
});

/** A shell that ignores SIGTERM and SIGINT (and so does its grandchild `sleep`, which inherits that). */
async function stubborn(taskId: string): Promise<{ proc: TaskProcess; grandchild: number }> {
  const pidFile = join(dir.path, `${taskId}.pid`);
  const proc = await launchProcess({
    taskId,
    environmentId: 'env',
    command: commandSpec({ value: `trap '' TERM INT; sleep 60 & echo $! > ${pidFile}; wait`, shell: true }),
    mode: 'basic',
    logDir: dir.path,
  });
  const grandchild = await pidFromFile(pidFile);
  pids.push(proc.pid, grandchild);
  return { proc, grandchild };
}

test('a group that ignores SIGTERM and SIGINT ends with SIGKILL, grandchild included', async () => {
  const { proc, grandchild } = await stubborn('stubborn');
  assert.ok(groupAlive(proc.pid));
  assert.ok(trackedGroups().includes(proc.pid));
  const t0 = Date.now();
  const last = await terminateGroup(proc.pid, { termWaitMs: 300, intWaitMs: 300 });
  assert.equal(last, 'SIGKILL');
  assert.ok(Date.now() - t0 >= 600, 'waited after SIGTERM and after SIGINT');
  assert.deepEqual(survivors([proc.pid, grandchild]), []);
  assert.equal(groupAlive(proc.pid), false);
  assert.deepEqual(await proc.exited, { code: null, signal: 'SIGKILL' });
});

test('a process that honours SIGTERM stops at the first signal', async () => {
  const proc = await launchProcess({
    taskId: 'polite',
    environmentId: 'env',
    command: commandSpec({ value: 'sleep', arguments: ['60'] }),
    mode: 'basic',
    logDir: dir.path,
  });
  pids.push(proc.pid);
  assert.equal(await terminateGroup(proc.pid), 'SIGTERM');
  assert.deepEqual(survivors([proc.pid]), []);
  assert.equal(await terminateGroup(proc.pid), 'none');
});

test('TaskProcess.terminate uses the full AliECS sequence and resolves once the group is gone', async () => {
  const { proc, grandchild } = await stubborn('stubborn-default');
  const t0 = Date.now();
  await proc.terminate();
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 5000 && elapsed < 7000, `SIGTERM, 2 s, SIGINT, 3 s, SIGKILL (took ${elapsed} ms)`);
  assert.deepEqual(survivors([proc.pid, grandchild]), []);
  assert.equal(trackedGroups().includes(proc.pid), false);
});

test('no orphans on a crash: the exit hook SIGKILLs the groups of a process that dies from an exception', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const script = join(dir.path, 'crash.mjs');
  const launcher = pathToFileURL(join(import.meta.dirname, 'task-process.ts')).href;
  writeFileSync(
    script,
    `const { launchProcess } = await import(${JSON.stringify(launcher)});
     const p = await launchProcess({ taskId: 'c', environmentId: 'e', mode: 'basic', logDir: ${JSON.stringify(dir.path)},
       command: { value: 'sleep', arguments: ['60'], env: [], user: '', shell: false, stdout: '', stderr: '' } });
     console.log(p.pid);
     throw new Error('crash');`,
  );
  const out = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script], {
    encoding: 'utf8',
  });
  assert.notEqual(out.status, 0);
  assert.match(out.stderr, /crash/);
  const pid = Number(out.stdout.trim());
  assert.ok(pid > 0);
  pids.push(pid);
  // The hook sends SIGKILL as the process exits; the kernel may take a moment to end the task under load.
  const end = Date.now() + 2_000 * timeScale();
  while (survivors([pid]).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(survivors([pid]), [], `task ${pid} still alive ${2_000 * timeScale()} ms after the crash`);
});
