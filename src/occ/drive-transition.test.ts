import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OccClient, OccTransitionReply, OccTransitionRequest } from './client-types.ts';
import { createDirectMachine } from './direct-machine.ts';
import { driveTransition } from './drive-transition.ts';
import { createFairMqMachine } from './fairmq-machine.ts';
import type { FairMqHandlers } from './handlers.ts';
import { OccError } from './occ-error.ts';
import type { OccMachine } from './occ-machine.ts';

/** An in-memory client over a machine, recording the events it sends. */
function localClient(machine: OccMachine, sent: string[] = []): OccClient {
  return {
    getState: () => Promise.resolve({ state: machine.state, pid: 1 }),
    transition: async (req: OccTransitionRequest): Promise<OccTransitionReply> => {
      sent.push(req.event);
      return machine.transition(req);
    },
    events: (signal) => machine.events(signal),
    close: () => undefined,
  };
}

const req = (event: string, srcState: string, args: Record<string, string> = {}) => ({
  event,
  srcState,
  arguments: args,
});

test('direct: a full cycle through the pass-through', async () => {
  const client = localClient(createDirectMachine({}));
  const cycle: [string, string, string][] = [
    ['CONFIGURE', 'STANDBY', 'CONFIGURED'],
    ['START', 'CONFIGURED', 'RUNNING'],
    ['STOP', 'RUNNING', 'CONFIGURED'],
    ['RESET', 'CONFIGURED', 'STANDBY'],
    ['EXIT', 'STANDBY', 'DONE'],
  ];
  for (const [event, from, to] of cycle)
    assert.deepEqual(await driveTransition(client, 'direct', req(event, from)), { state: to });
});

test('direct: refused events, failing hooks and status errors become OccError with the state reached', async () => {
  const client = localClient(createDirectMachine({ configure: () => Promise.reject(new Error('no')) }));
  await assert.rejects(driveTransition(client, 'direct', req('START', 'STANDBY')), (err: unknown) => {
    assert.ok(err instanceof OccError);
    assert.equal(err.state, 'STANDBY');
    assert.match(err.reason, /trigger=DEVICE_INTENTIONAL/);
    return true;
  });
  await assert.rejects(driveTransition(client, 'direct', req('CONFIGURE', 'STANDBY')), { state: 'ERROR' });
  await assert.rejects(driveTransition(client, 'direct', req('START', 'STANDBY')), (err: unknown) => {
    assert.ok(err instanceof OccError);
    assert.equal(err.state, 'ERROR');
    assert.match(
      err.reason,
      /INVALID_ARGUMENT: transition not possible: state mismatch: source: STANDBY current: ERROR/,
    );
    return true;
  });
});

test('fairmq: OCC events expand to FairMQ sequences and map back to OCC states', async () => {
  const sent: string[] = [];
  const client = localClient(createFairMqMachine({}), sent);
  assert.deepEqual(await driveTransition(client, 'fairmq', req('CONFIGURE', 'STANDBY')), {
    state: 'CONFIGURED',
  });
  assert.deepEqual(sent.splice(0), ['INIT DEVICE', 'COMPLETE INIT', 'BIND', 'CONNECT', 'INIT TASK']);
  assert.deepEqual(await driveTransition(client, 'fairmq', req('START', 'CONFIGURED')), { state: 'RUNNING' });
  assert.deepEqual(await driveTransition(client, 'fairmq', req('STOP', 'RUNNING')), { state: 'CONFIGURED' });
  assert.deepEqual(sent.splice(0), ['RUN', 'STOP']);
  assert.deepEqual(await driveTransition(client, 'fairmq', req('EXIT', 'CONFIGURED')), { state: 'DONE' });
  assert.deepEqual(sent, ['RESET TASK', 'RESET DEVICE', 'END']);
});

/** A device whose `step` reply is doctored: the named FairMQ event "does not move" the device. */
function stuckClient(stuckOn: string, handlers: FairMqHandlers = {}): { client: OccClient; sent: string[] } {
  const machine = createFairMqMachine(handlers);
  const sent: string[] = [];
  const inner = localClient(machine, sent);
  const client: OccClient = {
    ...inner,
    transition: async (r) => {
      if (r.event !== stuckOn) return inner.transition(r);
      sent.push(r.event);
      return { ok: false, state: machine.state, trigger: 'DEVICE_INTENTIONAL', event: r.event };
    },
  };
  return { client, sent };
}

test('fairmq: a device stuck in BOUND is rolled back with RESET DEVICE and reported', async () => {
  const { client, sent } = stuckClient('CONNECT');
  await assert.rejects(driveTransition(client, 'fairmq', req('CONFIGURE', 'STANDBY')), (err: unknown) => {
    assert.ok(err instanceof OccError);
    assert.equal(err.state, 'STANDBY');
    assert.match(err.reason, /CONNECT: task replied ok=false/);
    return true;
  });
  assert.deepEqual(sent, ['INIT DEVICE', 'COMPLETE INIT', 'BIND', 'CONNECT', 'RESET DEVICE']);
});

test('fairmq: a device stuck in DEVICE READY on RESET goes back to READY', async () => {
  const { client, sent } = stuckClient('RESET DEVICE');
  await driveTransition(client, 'fairmq', req('CONFIGURE', 'STANDBY'));
  sent.splice(0);
  await assert.rejects(driveTransition(client, 'fairmq', req('RESET', 'CONFIGURED')), {
    state: 'CONFIGURED',
  });
  assert.deepEqual(sent, ['RESET TASK', 'RESET DEVICE', 'INIT TASK']);
});

test('fairmq: a failing hook ends in ERROR; EXIT from ERROR reaches DONE; RECOVER is not possible', async () => {
  const client = localClient(createFairMqMachine({ start: () => Promise.reject(new Error('boom')) }));
  await driveTransition(client, 'fairmq', req('CONFIGURE', 'STANDBY'));
  await assert.rejects(driveTransition(client, 'fairmq', req('START', 'CONFIGURED')), { state: 'ERROR' });
  await assert.rejects(driveTransition(client, 'fairmq', req('RECOVER', 'ERROR')), { state: 'ERROR' });
  assert.deepEqual(await driveTransition(client, 'fairmq', req('EXIT', 'ERROR')), { state: 'DONE' });
});
