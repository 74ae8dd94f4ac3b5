/** The agent driving real OCC servers (src/occ task SDK) over protobuf (direct) and OCClite JSON (fairmq). */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { AgentRuntime } from './agent-runtime.ts';
import { taskLogPath } from './task-process.ts';
import { commandSpec, eventually, launchOp, survivors, tempDir, transitionOp } from './test-fixtures.ts';
import type { CommandResult, TaskUpdate } from './types.ts';
import { scaled } from '../common/testing/wait.ts';

const dir = tempDir();
const runtime = new AgentRuntime({ stateDir: dir.path });
const updates: TaskUpdate[] = [];
runtime.onUpdate((u) => updates.push(u));
const pids: number[] = [];
after(async () => {
  await runtime.shutdown();
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

const sdk = pathToFileURL(join(import.meta.dirname, '..', 'occ', 'task-sdk.ts')).href;

/** Writes a small task program on the SDK that prints each hook it runs. */
function taskScript(name: string, runner: 'runOccTask' | 'runFairMqDevice'): string {
  const path = join(dir.path, `${name}.mjs`);
  writeFileSync(
    path,
    `const { ${runner} } = await import(${JSON.stringify(sdk)});
     const say = (...words) => console.log(words.join(' '));
     await ${runner}({
       configure: (args) => say('configure', args['chans.out.0.address'] ?? '-'),
       start: (args) => say('start', args.runNumber ?? '-'),
       stop: () => say('stop'),
       reset: () => say('reset'),
       exit: () => say('exit'),
     });`,
  );
  return path;
}

function command(script: string) {
  return commandSpec({
    value: process.execPath,
    arguments: ['--import', import.meta.resolve('tsx'), script],
  });
}

async function step(taskId: string, event: string, from: string, args: Record<string, string> = {}) {
  const res = await runtime.handle({
    id: `${taskId}-${event}`,
    op: { ...transitionOp(taskId, event, from), arguments: args },
  });
  assert.equal(res.ok, true, `${taskId} ${event}: ${res.error}`);
  return res;
}

async function lifecycle(
  taskId: string,
  mode: 'direct' | 'fairmq',
  runner: 'runOccTask' | 'runFairMqDevice',
) {
  const binds = [{ channel: 'out', addressing: 'tcp', target: '' }];
  const launched: CommandResult = await runtime.handle({
    id: taskId,
    op: launchOp(taskId, { controlMode: mode, command: command(taskScript(taskId, runner)), binds }),
  });
  assert.equal(launched.ok, true, launched.error);
  pids.push(launched.pid);
  assert.equal(launched.state, 'STANDBY');
  const address = launched.endpoints['out'] ?? '';
  assert.match(address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(
    (await step(taskId, 'CONFIGURE', 'STANDBY', { 'chans.out.0.address': address })).state,
    'CONFIGURED',
  );
  assert.equal((await step(taskId, 'START', 'CONFIGURED', { runNumber: '7' })).state, 'RUNNING');
  assert.equal((await step(taskId, 'STOP', 'RUNNING')).state, 'CONFIGURED');
  assert.equal((await step(taskId, 'RESET', 'CONFIGURED')).state, 'STANDBY');
  assert.equal((await step(taskId, 'EXIT', 'STANDBY')).state, 'DONE');
  await eventually(() => updates.some((u) => u.taskId === taskId), 2000, 'exit after DONE');
  assert.deepEqual(
    updates.filter((u) => u.taskId === taskId).map((u) => [u.state, u.event, u.exitCode, u.reason]),
    [['DONE', 'EXITED', 0, '']],
  );
  const log = readFileSync(taskLogPath(join(dir.path, 'logs'), 'env1', taskId), 'utf8');
  assert.match(
    log,
    new RegExp(`configure ${address.replaceAll('.', '\\.')}\\nstart 7\\nstop\\nreset\\nexit`),
  );
  await runtime.handle({ id: `${taskId}-kill`, op: { kind: 'kill', taskId } });
}

test('a direct task through CONFIGURE/START/STOP/RESET/EXIT over protobuf OCC', async () => {
  await lifecycle('direct1', 'direct', 'runOccTask');
});

test('a fairmq device through CONFIGURE/START/STOP/RESET/EXIT over OCClite JSON', async () => {
  await lifecycle('fmq1', 'fairmq', 'runFairMqDevice');
});

test('kill of a RUNNING task walks it down over OCC and the process exits by itself', async () => {
  const res = await runtime.handle({
    id: 'w',
    op: launchOp('walk', { controlMode: 'direct', command: command(taskScript('walk', 'runOccTask')) }),
  });
  pids.push(res.pid);
  await step('walk', 'CONFIGURE', 'STANDBY');
  await step('walk', 'START', 'CONFIGURED');
  const t0 = Date.now();
  const killed = await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'walk' } });
  assert.deepEqual([killed.ok, killed.state], [true, 'DONE']);
  assert.ok(Date.now() - t0 < scaled(1500), 'no signal sequence needed');
  assert.deepEqual(survivors([res.pid]), []);
  assert.match(
    readFileSync(taskLogPath(join(dir.path, 'logs'), 'env1', 'walk'), 'utf8'),
    /stop\nreset\nexit/,
  );
});
