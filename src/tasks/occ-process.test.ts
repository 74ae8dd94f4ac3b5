// Real task processes driven over OCC: the readout demo (direct mode, protobuf) behaves like an OCC library process
// (aliecs.md §15) and the FairMQ demos (OCClite JSON) go through their FairMQ sequences.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { driveTransition } from '../occ/drive-transition.ts';
import { TaskPool, eventually } from './test-harness.ts';
import { scaled } from '../common/testing/wait.ts';

const pool = new TaskPool();
after(() => pool.killAll());

const req = (event: string, srcState: string, args: Record<string, string> = {}) => ({
  event,
  srcState,
  arguments: args,
});

test('readout answers like an OCC library process and exits 0 after EXIT', async () => {
  const task = await pool.spawn('readout');
  const { client } = task;
  assert.deepEqual(await client.getState(), { state: 'STANDBY', pid: task.child.pid });
  await assert.rejects(client.transition(req('STOP', 'RUNNING')), {
    code: 'INVALID_ARGUMENT',
    message: 'transition not possible: state mismatch: source: RUNNING current: STANDBY',
  });
  assert.deepEqual(await client.transition(req('START', 'STANDBY')), {
    ok: false,
    state: 'STANDBY',
    trigger: 'DEVICE_INTENTIONAL',
    event: 'START',
  });
  for (const event of ['configure', ''])
    await assert.rejects(client.transition(req(event, 'STANDBY')), { code: 'UNKNOWN' });
  assert.equal((await client.getState()).state, 'STANDBY');

  const cycle: [string, string, string][] = [
    ['CONFIGURE', 'STANDBY', 'CONFIGURED'],
    ['START', 'CONFIGURED', 'RUNNING'],
    ['STOP', 'RUNNING', 'CONFIGURED'],
    ['RESET', 'CONFIGURED', 'STANDBY'],
  ];
  for (const [event, from, to] of cycle) {
    assert.deepEqual(await driveTransition(client, 'direct', req(event, from, { runNumber: '1' })), {
      state: to,
    });
  }
  const events: string[] = [];
  const reading = (async () => {
    for await (const e of client.events(new AbortController().signal)) events.push(e);
  })();
  assert.deepEqual(await driveTransition(client, 'direct', req('EXIT', 'STANDBY')), { state: 'DONE' });
  await reading;
  assert.deepEqual(events, []);
  assert.equal(await task.exited, 0);
  await assert.rejects(client.getState({ timeoutMs: scaled(1000) }), { code: 'UNAVAILABLE' });
});

test('readout --eos-after sends END_OF_STREAM while RUNNING', async () => {
  const { client } = await pool.spawn('readout', ['--rate', '200', '--eos-after', '5']);
  const events: string[] = [];
  const abort = new AbortController();
  const reading = (async () => {
    for await (const e of client.events(abort.signal)) events.push(e);
  })();
  await driveTransition(client, 'direct', req('CONFIGURE', 'STANDBY'));
  await driveTransition(client, 'direct', req('START', 'CONFIGURED', { runNumber: '3' }));
  await eventually(() => events.length > 0, 'the END_OF_STREAM event');
  assert.deepEqual(events, ['END_OF_STREAM']);
  assert.equal((await client.getState()).state, 'RUNNING');
  abort.abort();
  await reading;
});

test('a hook that throws sends the task to ERROR; EXIT from ERROR still ends the process', async () => {
  const task = await pool.spawn('readout', ['--fail-on', 'start']);
  await driveTransition(task.client, 'direct', req('CONFIGURE', 'STANDBY'));
  const reply = await task.client.transition(req('START', 'CONFIGURED'));
  assert.deepEqual(reply, { ok: false, state: 'ERROR', trigger: 'DEVICE_ERROR', event: 'START' });
  assert.match(task.output(), /start failed on request/);
  await driveTransition(task.client, 'direct', req('EXIT', 'ERROR'));
  assert.equal(await task.exited, 0);
});

test('a FairMQ device goes through the full OCC cycle over OCClite and exits 0 after EXIT', async () => {
  const task = await pool.spawn('builder');
  const { client } = task;
  assert.equal((await client.getState()).state, 'IDLE');
  const events: string[] = [];
  const reading = (async () => {
    for await (const e of client.events(new AbortController().signal)) events.push(e);
  })();
  const cycle: [string, string, string][] = [
    ['CONFIGURE', 'STANDBY', 'CONFIGURED'],
    ['START', 'CONFIGURED', 'RUNNING'],
    ['STOP', 'RUNNING', 'CONFIGURED'],
    ['RESET', 'CONFIGURED', 'STANDBY'],
    ['CONFIGURE', 'STANDBY', 'CONFIGURED'],
    ['EXIT', 'CONFIGURED', 'DONE'],
  ];
  for (const [event, from, to] of cycle) {
    assert.deepEqual(await driveTransition(client, 'fairmq', req(event, from, { runNumber: '9' })), {
      state: to,
    });
  }
  await reading;
  assert.deepEqual(events, ['NULL_DEVICE_EVENT']);
  assert.equal(await task.exited, 0);
});

test('a FairMQ device whose hook fails reports ERROR and can still be exited', async () => {
  const task = await pool.spawn('sink', ['--fail-on', 'configure']);
  await assert.rejects(driveTransition(task.client, 'fairmq', req('CONFIGURE', 'STANDBY')), {
    state: 'ERROR',
  });
  assert.deepEqual(await driveTransition(task.client, 'fairmq', req('EXIT', 'ERROR')), { state: 'DONE' });
  assert.equal(await task.exited, 0);
});
