import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDirectMachine } from './direct-machine.ts';
import { OccStatusError } from './occ-error.ts';
import type { ArgTree } from './arg-tree.ts';

const go = (event: string, srcState: string, args: Record<string, string> = {}) => ({
  srcState,
  event,
  arguments: args,
});

test('a full cycle succeeds with trigger EXECUTOR and echoes the event', async () => {
  const calls: string[] = [];
  const m = createDirectMachine({
    configure: () => void calls.push('configure'),
    start: () => void calls.push('start'),
    stop: () => void calls.push('stop'),
    reset: () => void calls.push('reset'),
    exit: () => void calls.push('exit'),
  });
  const path: [string, string, string][] = [
    ['CONFIGURE', 'STANDBY', 'CONFIGURED'],
    ['START', 'CONFIGURED', 'RUNNING'],
    ['STOP', 'RUNNING', 'CONFIGURED'],
    ['RESET', 'CONFIGURED', 'STANDBY'],
    ['EXIT', 'STANDBY', 'DONE'],
  ];
  for (const [event, from, to] of path) {
    assert.deepEqual(await m.transition(go(event, from)), {
      trigger: 'EXECUTOR',
      state: to,
      event,
      ok: true,
    });
  }
  assert.deepEqual(calls, ['configure', 'start', 'stop', 'reset', 'exit']);
});

test('a wrong source state is INVALID_ARGUMENT with the OCC library message', async () => {
  const m = createDirectMachine({});
  await assert.rejects(m.transition(go('CONFIGURE', 'RUNNING')), (err: unknown) => {
    assert.ok(err instanceof OccStatusError);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.equal(err.message, 'transition not possible: state mismatch: source: RUNNING current: STANDBY');
    return true;
  });
});

test('an event not allowed in the state is ok=false, DEVICE_INTENTIONAL, state unchanged', async () => {
  const m = createDirectMachine({});
  const reply = await m.transition(go('START', 'STANDBY'));
  assert.deepEqual(reply, { trigger: 'DEVICE_INTENTIONAL', state: 'STANDBY', event: 'START', ok: false });
  assert.equal(m.state, 'STANDBY');
});

test('unknown, lower-case and empty events are status UNKNOWN', async () => {
  const m = createDirectMachine({});
  for (const event of ['configure', 'FLY', '']) {
    await assert.rejects(m.transition(go(event, 'STANDBY')), { code: 'UNKNOWN' });
  }
  assert.equal(m.state, 'STANDBY');
});

test('a throwing hook leads to ERROR with DEVICE_ERROR; RECOVER and EXIT work from there', async () => {
  const m = createDirectMachine({
    configure: () => {
      throw new Error('bad config');
    },
  });
  const reply = await m.transition(go('CONFIGURE', 'STANDBY'));
  assert.deepEqual(reply, { trigger: 'DEVICE_ERROR', state: 'ERROR', event: 'CONFIGURE', ok: false });
  assert.equal((await m.transition(go('RECOVER', 'ERROR'))).state, 'STANDBY');
  assert.equal((await m.transition(go('CONFIGURE', 'STANDBY'))).state, 'ERROR');
  assert.equal((await m.transition(go('EXIT', 'ERROR'))).state, 'DONE');
  await assert.rejects(m.transition(go('EXIT', 'DONE')), { code: 'FAILED_PRECONDITION' });
});

test('CONFIGURE hands the arguments and their dotted tree; START carries runNumber', async () => {
  let tree: ArgTree = {};
  const m = createDirectMachine({ configure: (_args, t) => void (tree = t) });
  await m.transition(
    go('CONFIGURE', 'STANDBY', { 'chans.x.0.address': 'tcp://*:1', '__ptree__:json:cfg': '{"a":1}' }),
  );
  assert.deepEqual(tree, { chans: { x: { '0': { address: 'tcp://*:1' } } }, cfg: { a: 1 } });
  await m.transition(go('START', 'CONFIGURED', { runNumber: '42' }));
  assert.equal(m.runNumber, 42);
  await m.transition(go('STOP', 'RUNNING'));
  assert.equal(m.runNumber, 0);
});

test('EventStream carries emitted events and ends at DONE; TASK_INTERNAL_ERROR means ERROR', async () => {
  const m = createDirectMachine({});
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of m.events(new AbortController().signal)) seen.push(e);
  })();
  await m.transition(go('CONFIGURE', 'STANDBY'));
  await m.transition(go('START', 'CONFIGURED'));
  m.emit('END_OF_STREAM');
  m.emit('TASK_INTERNAL_ERROR');
  assert.equal(m.state, 'ERROR');
  await m.transition(go('EXIT', 'ERROR'));
  await reading;
  assert.deepEqual(seen, ['END_OF_STREAM', 'TASK_INTERNAL_ERROR']);
});

test('transitions are serialised', async () => {
  let release = (): void => undefined;
  const m = createDirectMachine({ configure: () => new Promise<void>((r) => (release = r)) });
  const first = m.transition(go('CONFIGURE', 'STANDBY'));
  const second = m.transition(go('START', 'CONFIGURED'));
  await new Promise((r) => setTimeout(r, 10));
  release();
  assert.equal((await first).state, 'CONFIGURED');
  assert.equal((await second).state, 'RUNNING');
});
