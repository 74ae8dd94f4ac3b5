import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFairMqMachine } from './fairmq-machine.ts';
import type { ArgTree } from './arg-tree.ts';

const go = (event: string, srcState: string, args: Record<string, string> = {}) => ({
  srcState,
  event,
  arguments: args,
});

const CONFIGURE: [string, string, string][] = [
  ['INIT DEVICE', 'IDLE', 'INITIALIZING DEVICE'],
  ['COMPLETE INIT', 'INITIALIZING DEVICE', 'INITIALIZED'],
  ['BIND', 'INITIALIZED', 'BOUND'],
  ['CONNECT', 'BOUND', 'DEVICE READY'],
  ['INIT TASK', 'DEVICE READY', 'READY'],
];

test('the CONFIGURE sequence pushes SetProperty-converted arguments and calls the hooks in order', async () => {
  const calls: string[] = [];
  let tree: ArgTree = {};
  const m = createFairMqMachine({
    configure: (_a, t) => {
      tree = t;
      calls.push('configure');
    },
    bind: () => void calls.push('bind'),
    connect: () => void calls.push('connect'),
    initTask: () => void calls.push('initTask'),
  });
  const args = {
    'chans.in.0.address': 'tcp://127.0.0.1:9',
    'chans.in.0.rcvBufSize': '1000',
    severity: 'info',
  };
  for (const [event, from, to] of CONFIGURE) {
    const reply = await m.transition(go(event, from, event === 'INIT DEVICE' ? args : {}));
    assert.deepEqual(reply, { trigger: 'EXECUTOR', state: to, event, ok: true });
  }
  assert.deepEqual(calls, ['configure', 'bind', 'connect', 'initTask']);
  assert.equal(m.properties.get('chans.in.0.rcvBufSize'), 1000);
  assert.deepEqual(tree, {
    chans: { in: { '0': { address: 'tcp://127.0.0.1:9', rcvBufSize: 1000 } } },
    severity: 'info',
  });
});

test('RUN pushes its arguments as properties; wrong source, bad and refused events', async () => {
  const m = createFairMqMachine({});
  for (const [event, from] of CONFIGURE) await m.transition(go(event, from));
  await m.transition(go('RUN', 'READY', { runNumber: '7' }));
  assert.equal(m.properties.get('runNumber'), '7');
  await assert.rejects(m.transition(go('STOP', 'READY')), {
    code: 'INVALID_ARGUMENT',
    message: 'transition not possible: state mismatch: source: READY current: RUNNING',
  });
  await assert.rejects(m.transition(go('stop', 'RUNNING')), {
    code: 'INVALID_ARGUMENT',
    message: 'argument stop is not a valid transition name',
  });
  const refused = await m.transition(go('END', 'RUNNING'));
  assert.deepEqual(refused, { trigger: 'DEVICE_INTENTIONAL', state: 'RUNNING', event: 'END', ok: false });
});

test('reset, END and the EventStream closing with NULL_DEVICE_EVENT at EXITING', async () => {
  const m = createFairMqMachine({});
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of m.events(new AbortController().signal)) seen.push(e);
  })();
  for (const [event, from] of CONFIGURE) await m.transition(go(event, from));
  m.emit('END_OF_STREAM');
  assert.equal((await m.transition(go('RESET TASK', 'READY'))).state, 'DEVICE READY');
  assert.equal((await m.transition(go('RESET DEVICE', 'DEVICE READY'))).state, 'IDLE');
  assert.equal((await m.transition(go('END', 'IDLE'))).state, 'EXITING');
  await reading;
  assert.deepEqual(seen, ['END_OF_STREAM', 'NULL_DEVICE_EVENT']);
});

test('a failing hook means ERROR with DEVICE_ERROR and a closed EventStream; END still exits', async () => {
  const m = createFairMqMachine({
    bind: () => {
      throw new Error('address in use');
    },
  });
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of m.events(new AbortController().signal)) seen.push(e);
  })();
  await m.transition(go('INIT DEVICE', 'IDLE'));
  await m.transition(go('COMPLETE INIT', 'INITIALIZING DEVICE'));
  const reply = await m.transition(go('BIND', 'INITIALIZED'));
  assert.deepEqual(reply, { trigger: 'DEVICE_ERROR', state: 'ERROR', event: 'BIND', ok: false });
  await reading;
  assert.deepEqual(seen, ['NULL_DEVICE_EVENT']);
  assert.equal((await m.transition(go('END', 'ERROR'))).state, 'EXITING');
});
