/** Direct/fairmq driving with an in-memory OCC stand-in (the real OCC path is in runtime-occ.test.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { occNext } from '../common/task-state.ts';
import type { DeviceEventName } from '../common/task-state.ts';
import type { OccClient } from '../occ/client-types.ts';
import { OccError } from '../occ/occ-error.ts';
import { AgentRuntime } from './agent-runtime.ts';
import { AsyncQueue } from './async-queue.ts';
import type { OccConnector } from './drivers/occ-connector.ts';
import { taskLogPath } from './task-process.ts';
import { commandSpec, eventually, launchOp, survivors, tempDir, transitionOp } from './test-fixtures.ts';
import type { TaskUpdate } from './types.ts';
import { scaled } from '../common/testing/wait.ts';

/** A task's OCC side in memory: a state, the events it will send, and the events the agent drove. */
function fakeOcc(ready = true) {
  const fake = { state: 'STANDBY', driven: [] as string[], events: new AsyncQueue<DeviceEventName>() };
  const client: OccClient = {
    getState: () =>
      ready ? Promise.resolve({ state: fake.state, pid: 0 }) : Promise.reject(new Error('refused')),
    transition: () => Promise.reject(new Error('use drive')),
    events: (signal) => {
      signal.addEventListener('abort', () => fake.events.close());
      return fake.events;
    },
    close: () => undefined,
  };
  const connector: OccConnector = {
    connect: () => client,
    drive: (_client, _mode, req) => {
      fake.driven.push(req.event);
      const next = occNext(fake.state, req.event);
      if (next === undefined) return Promise.reject(new OccError(req.event, fake.state, 'not allowed'));
      fake.state = next;
      return Promise.resolve({ state: next });
    },
  };
  return { fake, connector };
}

const dir = tempDir();
const runtimes: AgentRuntime[] = [];
const pids: number[] = [];
after(async () => {
  await Promise.all(runtimes.map((r) => r.shutdown()));
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

function setup(ready = true) {
  const { fake, connector } = fakeOcc(ready);
  const runtime = new AgentRuntime({ stateDir: dir.path, occ: connector });
  runtimes.push(runtime);
  const updates: TaskUpdate[] = [];
  runtime.onUpdate((u) => updates.push(u));
  return { fake, runtime, updates };
}

async function launchDirect(runtime: AgentRuntime, taskId: string, script: string) {
  const res = await runtime.handle({
    id: taskId,
    // arguments after the script become $1…: the agent appends --control-port <port> there
    op: launchOp(taskId, { command: commandSpec({ value: '/bin/sh', arguments: ['-c', script, 'sh'] }) }),
  });
  if (res.pid > 0) pids.push(res.pid);
  return res;
}

test('the control port (≥ 30000) is passed as --control-port and OCC_CONTROL_PORT', async () => {
  const { runtime } = setup();
  const res = await launchDirect(runtime, 'port', 'echo "env=$OCC_CONTROL_PORT args=$*"; exec sleep 30');
  assert.deepEqual([res.ok, res.state], [true, 'STANDBY']);
  const log = taskLogPath(`${dir.path}/logs`, 'env1', 'port');
  await eventually(() => /env=\d+/.test(readFileSync(log, 'utf8')), 2000, 'log line');
  const m = /env=(\d+) args=--control-port (\d+)/.exec(readFileSync(log, 'utf8'));
  assert.ok(m !== null && m[1] === m[2] && Number(m[1]) >= 30000);
});

test('a task killed from outside → ERROR update with signal and reason within 1 s', async () => {
  const { runtime, updates } = setup();
  const res = await launchDirect(runtime, 'victim', 'exec sleep 30');
  const t0 = Date.now();
  process.kill(res.pid, 'SIGKILL');
  await eventually(() => updates.length > 0, 1000, 'exit update');
  assert.ok(Date.now() - t0 <= scaled(1000), `exit update after ${Date.now() - t0} ms`);
  assert.deepEqual(updates[0], {
    taskId: 'victim',
    state: 'ERROR',
    pid: res.pid,
    event: 'EXITED',
    exitCode: 137,
    signal: 'SIGKILL',
    output: '',
    reason: 'killed by SIGKILL',
  });
  assert.equal(runtime.report()[0]?.state, 'ERROR');
});

test('a task exiting with a code reports it with its last lines', async () => {
  const { runtime, updates } = setup();
  const t0 = Date.now();
  await launchDirect(runtime, 'crash', 'echo about to fail; sleep 0.3; exit 3');
  await eventually(() => updates.length > 0, 2000, 'exit update');
  assert.ok(Date.now() - t0 < scaled(1300), `exit update after ${Date.now() - t0} ms`);
  assert.deepEqual(
    [updates[0]?.state, updates[0]?.event, updates[0]?.exitCode, updates[0]?.output, updates[0]?.reason],
    ['ERROR', 'EXITED', 3, 'about to fail', 'task exited with code 3'],
  );
});

test('transitions are driven over OCC; device events are forwarded; kill walks down to DONE first', async () => {
  const { fake, runtime, updates } = setup();
  const res = await launchDirect(runtime, 'ctl', 'exec sleep 30');
  for (const [event, from] of [
    ['CONFIGURE', 'STANDBY'],
    ['START', 'CONFIGURED'],
  ]) {
    const r = await runtime.handle({ id: event ?? '', op: transitionOp('ctl', event ?? '', from ?? '') });
    assert.equal(r.ok, true);
  }
  const refused = await runtime.handle({ id: 'x', op: transitionOp('ctl', 'RESET', 'RUNNING') });
  assert.deepEqual([refused.ok, refused.state, refused.error], [false, 'RUNNING', 'not allowed']);
  fake.events.push('END_OF_STREAM');
  await eventually(() => updates.length > 0, 1000, 'END_OF_STREAM update');
  assert.deepEqual([updates[0]?.event, updates[0]?.state], ['END_OF_STREAM', 'RUNNING']);
  fake.driven.length = 0;
  const killed = await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'ctl' } });
  assert.deepEqual([killed.ok, killed.state], [true, 'DONE']);
  assert.deepEqual(fake.driven, ['STOP', 'RESET', 'EXIT']);
  assert.deepEqual(survivors([res.pid]), []);
  assert.equal(updates.length, 1, 'a kill asked for by the core is not reported as an exit');
});

test('a task that dies before STANDBY fails its launch with the reason and output', async () => {
  const { runtime } = setup(false);
  const res = await launchDirect(runtime, 'early', 'echo cannot start; exit 2');
  assert.equal(res.ok, false);
  assert.match(res.error, /task exited with code 2 before reaching STANDBY\ncannot start/);
  assert.equal(runtime.size, 0);
});
