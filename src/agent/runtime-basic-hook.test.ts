import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AgentRuntime } from './agent-runtime.ts';
import { commandSpec, eventually, launchOp, survivors, tempDir, transitionOp } from './test-fixtures.ts';
import type { AgentOp, CommandResult, TaskUpdate } from './types.ts';
import { scaled } from '../common/testing/wait.ts';

const dir = tempDir();
const runtime = new AgentRuntime({ stateDir: dir.path });
const updates: TaskUpdate[] = [];
runtime.onUpdate((u) => updates.push(u));
const pids: number[] = [];
let n = 0;

after(async () => {
  await runtime.shutdown();
  assert.equal(runtime.size, 0);
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

async function run(op: AgentOp): Promise<CommandResult> {
  const res = await runtime.handle({ id: `c${++n}`, op });
  assert.equal(res.commandId, `c${n}`);
  if (res.pid > 0) pids.push(res.pid);
  return res;
}

async function walk(taskId: string, steps: [string, string][]): Promise<CommandResult> {
  let last: CommandResult | undefined;
  for (const [event, from] of steps) {
    last = await run(transitionOp(taskId, event, from));
    assert.equal(last.ok, true, `${event}: ${last.error}`);
  }
  return last as CommandResult;
}

test('basic task: nothing runs until START; STOP kills it; CONFIGURE/RESET are plain state changes', async () => {
  const launched = await run(
    launchOp('b1', { controlMode: 'basic', command: commandSpec({ value: 'sleep', arguments: ['30'] }) }),
  );
  assert.deepEqual([launched.ok, launched.state, launched.pid], [true, 'STANDBY', 0]);
  assert.equal((await walk('b1', [['CONFIGURE', 'STANDBY']])).pid, 0);
  const started = await run(transitionOp('b1', 'START', 'CONFIGURED'));
  assert.deepEqual([started.ok, started.state], [true, 'RUNNING']);
  assert.ok(started.pid > 0);
  assert.deepEqual(survivors([started.pid]), [started.pid]);
  const stopped = await run(transitionOp('b1', 'STOP', 'RUNNING'));
  assert.deepEqual([stopped.ok, stopped.state, stopped.pid], [true, 'CONFIGURED', 0]);
  assert.deepEqual(survivors([started.pid]), []);
  assert.equal((await walk('b1', [['RESET', 'CONFIGURED']])).state, 'STANDBY');
  assert.equal(
    updates.filter((u) => u.taskId === 'b1').length,
    0,
    'a stop asked for by the core is not reported as an update',
  );
});

test('basic task ending on its own: BASIC_TASK_TERMINATED with exit code and last lines', async () => {
  const script = 'echo first; echo last; exit 4';
  await run(launchOp('b2', { controlMode: 'basic', command: commandSpec({ value: script, shell: true }) }));
  await walk('b2', [
    ['CONFIGURE', 'STANDBY'],
    ['START', 'CONFIGURED'],
  ]);
  await eventually(() => updates.some((u) => u.taskId === 'b2'), 2000, 'termination update');
  const update = updates.find((u) => u.taskId === 'b2');
  assert.equal(update?.event, 'BASIC_TASK_TERMINATED');
  assert.equal(update?.state, 'ERROR');
  assert.equal(update?.exitCode, 4);
  assert.equal(update?.output, 'first\nlast');
  assert.equal(update?.reason, 'task exited with code 4');
  assert.equal(runtime.report().find((r) => r.taskId === 'b2')?.state, 'ERROR');
});

test('basic task exiting with 0 ends in DONE', async () => {
  await run(launchOp('b3', { controlMode: 'basic', command: commandSpec({ value: 'true' }) }));
  await walk('b3', [
    ['CONFIGURE', 'STANDBY'],
    ['START', 'CONFIGURED'],
  ]);
  await eventually(() => updates.some((u) => u.taskId === 'b3'), 2000, 'termination update');
  assert.deepEqual(
    updates.filter((u) => u.taskId === 'b3').map((u) => [u.event, u.state, u.exitCode, u.reason]),
    [['BASIC_TASK_TERMINATED', 'DONE', 0, '']],
  );
});

test('hook task: transitions are no-ops; TriggerHook answers ok iff exit code 0, with output', async () => {
  const hook = (taskId: string, script: string) =>
    run(launchOp(taskId, { controlMode: 'hook', command: commandSpec({ value: script, shell: true }) }));
  await hook('h0', 'echo fine');
  await hook('h1', 'echo bad >&2; exit 1');
  assert.equal((await walk('h0', [['CONFIGURE', 'STANDBY']])).state, 'CONFIGURED');
  const good = await run({ kind: 'triggerHook', taskId: 'h0', timeoutMs: 5000 });
  assert.deepEqual([good.ok, good.exitCode, good.output, good.error], [true, 0, 'fine', '']);
  assert.equal(good.state, 'CONFIGURED');
  const bad = await run({ kind: 'triggerHook', taskId: 'h1', timeoutMs: 5000 });
  assert.deepEqual(
    [bad.ok, bad.exitCode, bad.output, bad.error],
    [false, 1, 'bad', 'task exited with code 1'],
  );
});

test('hook task past its timeout is killed and answered not ok', async () => {
  const pidFile = `${dir.path}/hook.pid`;
  const script = `echo $$ > ${pidFile}; exec sleep 30`;
  await run(launchOp('h2', { controlMode: 'hook', command: commandSpec({ value: script, shell: true }) }));
  const t0 = Date.now();
  const res = await run({ kind: 'triggerHook', taskId: 'h2', timeoutMs: 300 });
  assert.equal(res.ok, false);
  assert.equal(res.error, 'timed out after 300 ms');
  assert.ok(Date.now() - t0 < scaled(2000), `the hook ended after ${Date.now() - t0} ms`);
  const { readFileSync } = await import('node:fs');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.deepEqual(survivors([pid]), []);
});

test('hook timeout falls back to the Launch timeout', async () => {
  const spec = commandSpec({ value: 'sleep 30', shell: true });
  await run(launchOp('h3', { controlMode: 'hook', command: spec, timeoutMs: 200 }));
  const res = await run({ kind: 'triggerHook', taskId: 'h3', timeoutMs: 0 });
  assert.equal(res.error, 'timed out after 200 ms');
});

test('commands for unknown tasks fail; a second Launch of the same id is refused; Kill is idempotent', async () => {
  assert.match((await run(transitionOp('nope', 'START', 'CONFIGURED'))).error, /unknown task nope/);
  await run(launchOp('dup', { controlMode: 'hook' }));
  assert.match((await run(launchOp('dup', { controlMode: 'hook' }))).error, /already exists/);
  assert.deepEqual(
    [(await run({ kind: 'kill', taskId: 'dup' })).ok, (await run({ kind: 'kill', taskId: 'dup' })).ok],
    [true, true],
  );
});
