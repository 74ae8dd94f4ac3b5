import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentRuntime } from './agent-runtime.ts';
import { launchOp, tempDir, transitionOp } from './test-fixtures.ts';
import { scaled } from '../common/testing/wait.ts';

test('1,000 simulated tasks in one runtime: launch, CONFIGURE, START, STOP all ok, no process, fast', async () => {
  const dir = tempDir();
  const runtime = new AgentRuntime({ stateDir: dir.path });
  const ids = Array.from({ length: 1000 }, (_, i) => `sim${i}`);
  const t0 = Date.now();
  const binds = [{ channel: 'out', addressing: 'tcp', target: '' }];
  const launched = await Promise.all(
    ids.map((id) => runtime.handle({ id, op: launchOp(id, { simulated: true, binds }) })),
  );
  assert.ok(launched.every((r) => r.ok && r.state === 'STANDBY' && r.pid === 0));
  assert.equal(new Set(launched.map((r) => r.endpoints['out'])).size, 1000, 'distinct channel addresses');
  for (const [event, from, to] of [
    ['CONFIGURE', 'STANDBY', 'CONFIGURED'],
    ['START', 'CONFIGURED', 'RUNNING'],
    ['STOP', 'RUNNING', 'CONFIGURED'],
  ] as const) {
    const results = await Promise.all(
      ids.map((id) => runtime.handle({ id, op: transitionOp(id, event, from) })),
    );
    assert.ok(
      results.every((r) => r.ok && r.state === to),
      event,
    );
  }
  assert.ok(Date.now() - t0 < scaled(3000), `took ${Date.now() - t0} ms`);
  assert.equal(runtime.report().length, 1000);
  assert.ok(runtime.report().every((r) => r.state === 'CONFIGURED'));
  await runtime.shutdown();
  assert.equal(runtime.size, 0);
  dir.remove();
});

test('a simulated task refuses wrong source states and events not allowed, like OCClib', async () => {
  const dir = tempDir();
  const runtime = new AgentRuntime({ stateDir: dir.path, simulatedOnly: true });
  const launched = await runtime.handle({ id: '1', op: launchOp('s', { controlMode: 'fairmq' }) });
  assert.equal(launched.ok, true, 'simulatedOnly turns a fairmq task into a simulated one');
  const mismatch = await runtime.handle({ id: '2', op: transitionOp('s', 'CONFIGURE', 'RUNNING') });
  assert.deepEqual([mismatch.ok, mismatch.state], [false, 'STANDBY']);
  assert.match(mismatch.error, /state mismatch/);
  const notAllowed = await runtime.handle({ id: '3', op: transitionOp('s', 'START', 'STANDBY') });
  assert.deepEqual([notAllowed.ok, notAllowed.state], [false, 'STANDBY']);
  const exit = await runtime.handle({ id: '4', op: transitionOp('s', 'EXIT', 'STANDBY') });
  assert.deepEqual([exit.ok, exit.state], [true, 'DONE']);
  await runtime.shutdown();
  dir.remove();
});
