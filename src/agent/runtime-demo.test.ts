/** The demo data chain (examples/tasks) driven by the agent: readout (direct) → sink (fairmq) over TCP. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AgentRuntime } from './agent-runtime.ts';
import { commandSpec, eventually, launchOp, survivors, tempDir, transitionOp } from './test-fixtures.ts';
import type { TaskUpdate } from './types.ts';

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

const program = (name: string): string => join(import.meta.dirname, '..', '..', 'examples', 'tasks', name);

const REACHED: Record<string, string> = {
  CONFIGURE: 'CONFIGURED',
  START: 'RUNNING',
  STOP: 'CONFIGURED',
  RESET: 'STANDBY',
  EXIT: 'DONE',
};

async function both(event: string, from: string, args: Record<string, Record<string, string>> = {}) {
  // the sink binds, so it goes first
  for (const taskId of ['sink', 'readout']) {
    const op = { ...transitionOp(taskId, event, from), arguments: args[taskId] ?? {} };
    const res = await runtime.handle({ id: `${taskId}-${event}`, op });
    assert.equal(res.ok, true, `${taskId} ${event}: ${res.error}`);
    assert.equal(res.state, REACHED[event]);
  }
}

test('readout → sink: CONFIGURE/START/STOP/RESET/EXIT, data flows, END_OF_STREAM is reported', async () => {
  const stats = join(dir.path, 'sink-stats.json');
  const sink = await runtime.handle({
    id: 'ls',
    op: launchOp('sink', {
      controlMode: 'fairmq',
      command: commandSpec({ value: program('sink'), env: [`AXLE_TASK_STATS=${stats}`] }),
      binds: [{ channel: 'in', addressing: 'tcp', target: '' }],
    }),
  });
  assert.equal(sink.ok, true, sink.error);
  const readout = await runtime.handle({
    id: 'lr',
    op: launchOp('readout', {
      controlMode: 'direct',
      command: commandSpec({ value: program('readout'), arguments: ['--rate', '100', '--eos-after', '5'] }),
    }),
  });
  assert.equal(readout.ok, true, readout.error);
  pids.push(sink.pid, readout.pid);
  const address = sink.endpoints['in'] ?? '';
  assert.match(address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  await both('CONFIGURE', 'STANDBY', {
    sink: { 'chans.in.0.address': address, 'chans.in.0.method': 'bind', 'chans.in.0.type': 'pull' },
    readout: { 'chans.out.0.address': address, 'chans.out.0.method': 'connect', 'chans.out.0.type': 'push' },
  });
  await both('START', 'CONFIGURED', { sink: { runNumber: '1' }, readout: { runNumber: '1' } });
  await eventually(() => updates.some((u) => u.event === 'END_OF_STREAM'), 5000, 'END_OF_STREAM');
  assert.deepEqual(
    updates.map((u) => [u.taskId, u.event, u.state]),
    [['readout', 'END_OF_STREAM', 'RUNNING']],
  );
  await both('STOP', 'RUNNING');
  await both('RESET', 'CONFIGURED');
  await both('EXIT', 'STANDBY');
  await eventually(() => updates.filter((u) => u.event === 'EXITED').length === 2, 3000, 'both exits');
  assert.ok(updates.filter((u) => u.event === 'EXITED').every((u) => u.state === 'DONE' && u.exitCode === 0));
  assert.deepEqual(JSON.parse(readFileSync(stats, 'utf8')), { frames: 5 });
  assert.deepEqual(survivors([sink.pid, readout.pid]), []);
});
