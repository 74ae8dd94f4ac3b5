import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LaunchRequest } from '../environment/task-controller.ts';
import { Ledger } from '../scheduler/placement-ledger.ts';
import type { HostOffer } from '../scheduler/placement-types.ts';
import { demandOf, placeLaunches } from './launch-placement.ts';

function launch(taskId: string, env: string, over: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    taskId,
    environmentId: env,
    name: taskId,
    path: `wf.${taskId}`,
    control: 'direct',
    command: {
      value: '/bin/true',
      arguments: [],
      env: [],
      user: '',
      shell: false,
      stdout: 'all',
      stderr: 'all',
    },
    binds: [
      { channel: 'out', addressing: 'tcp' },
      { channel: 'local', addressing: 'ipc' },
      { channel: 'fixed', addressing: 'tcp', target: 'tcp://127.0.0.1:7000' },
    ],
    constraints: [{ attribute: 'machine_id', operator: '=', value: 'n1' }],
    wants: { cpu: 0.5, memory: 100 },
    timeoutMs: 1000,
    ...over,
  };
}

const withRanges = (host: string): HostOffer => ({
  host,
  cpu: 4,
  memoryMb: 1000,
  ports: [
    { begin: 30000, end: 30009 },
    { begin: 9000, end: 9009 },
  ],
  attributes: {},
});

test('with port ranges offered, each task gets a control port and a port per TCP bind without address', () => {
  const ledger = new Ledger();
  const a = placeLaunches([launch('a', 'e1')], [withRanges('n1')], ledger, '');
  const b = placeLaunches([launch('b', 'e2')], [withRanges('n1')], ledger, '');
  const pa = a.get('a');
  const pb = b.get('b');
  assert.ok(pa?.ok === true && pb?.ok === true);
  assert.deepEqual([...pa.channelPorts.keys()], ['out'], 'IPC and addressed channels get no port');
  assert.ok(pa.controlPort !== undefined && pa.controlPort >= 30000);
  assert.notEqual(pa.controlPort, pb.controlPort, 'another environment on the host gets other ports');
  assert.notEqual(pa.channelPorts.get('out'), pb.channelPorts.get('out'));
});

test('static wants.ports are held across environments; a second claim is refused with the reason', () => {
  const ledger = new Ledger();
  const wants = { cpu: 0.1, memory: 10, ports: [{ begin: 9005, end: 9005 }] };
  const first = placeLaunches([launch('a', 'e1', { wants, binds: [] })], [withRanges('n1')], ledger, '');
  assert.equal(first.get('a')?.ok, true);
  const second = placeLaunches([launch('b', 'e2', { wants, binds: [] })], [withRanges('n1')], ledger, '');
  const p = second.get('b');
  assert.ok(p?.ok === false);
  assert.match(p.reason, /no host can run wf\.b: n1: .*port/);
});

test('hosts without port ranges (local agents): no ports handled, agents pick their own', () => {
  const offer: HostOffer = { ...withRanges('n1'), ports: [] };
  const wants = { cpu: 0.1, memory: 10, ports: [{ begin: 9005, end: 9005 }] };
  const r = placeLaunches([launch('a', 'e1', { wants })], [offer], new Ledger(), '');
  const p = r.get('a');
  assert.ok(p?.ok === true);
  assert.equal(p.controlPort, undefined);
  assert.equal(p.channelPorts.size, 0);
});

test('no hosts at all: the caller says why', () => {
  const r = placeLaunches([launch('a', 'e1')], [], new Ledger(), 'no host is connected');
  assert.deepEqual(r.get('a'), {
    ok: false,
    undeployable: true,
    reason: 'no host can run wf.a: no host is connected',
  });
});

test('demand sums the placed tasks per host, in host order', () => {
  const reqs = [
    launch('a', 'e', { constraints: [], wants: { cpu: 0.5, memory: 100 } }),
    launch('b', 'e', { constraints: [], wants: { cpu: 0.25, memory: 50 } }),
  ];
  const placed = placeLaunches(reqs, [withRanges('n2'), withRanges('n1')], new Ledger(), '');
  const demand = demandOf(reqs, placed);
  assert.deepEqual(
    demand.reduce((s, d) => s + d.cpu, 0),
    0.75,
  );
  assert.deepEqual(
    demand.map((d) => d.host),
    [...demand.map((d) => d.host)].sort(),
  );
});
