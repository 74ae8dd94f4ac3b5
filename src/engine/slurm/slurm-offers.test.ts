import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentPortRanges } from '../../agent/ephemeral-ports.ts';
import { portRangesFor } from './inventory.ts';
import type { SlurmNode } from './inventory.ts';
import { clusterHosts, hostOffers } from './slurm-offers.ts';

function node(name: string, over: Partial<SlurmNode> = {}): SlurmNode {
  return {
    name,
    address: '127.0.0.1',
    hostname: 'localhost',
    cpus: 8,
    allocCpus: 0,
    memoryMb: 8000,
    allocMemoryMb: 0,
    features: ['flp', 'det_tpc'],
    gres: { crorc: 2 },
    gresUsed: {},
    state: 'idle',
    flags: [],
    reason: '',
    partitions: ['flps'],
    ...over,
  };
}

const ports = new Map([
  ['flp001', { control: { first: 30000, last: 30999 }, tcp: { first: 9000, last: 9999 } }],
]);

test('an idle node offers everything, with its port ranges and attributes', () => {
  const [o] = hostOffers([node('flp001')], ports, []);
  assert.deepEqual(o, {
    host: 'flp001',
    cpu: 8,
    memoryMb: 8000,
    ports: [
      { begin: 30000, end: 30999 },
      { begin: 9000, end: 9999 },
    ],
    attributes: o?.attributes,
  });
  assert.equal(o?.attributes['detector'], 'TPC');
  assert.equal(o?.attributes['cards'], '2');
});

test("others' jobs and the rounding of Axle's allocations are not offered; Axle's own wants are (the ledger has them)", () => {
  // Slurm: 5 CPUs and 3000 MB allocated on the node; Axle's job holds 2 CPUs / 1000 MB of it for tasks wanting
  // 1.5 CPUs / 600 MB. Others hold 3 CPUs / 2000 MB.
  const own = [
    {
      environmentId: 'e1',
      components: [{ node: 'flp001', cpus: 2, memoryMb: 1000 }],
      demand: [{ host: 'flp001', cpu: 1.5, memoryMb: 600 }],
    },
  ];
  const [o] = hostOffers([node('flp001', { allocCpus: 5, allocMemoryMb: 3000 })], ports, own);
  assert.equal(o?.cpu, 8 - 3 - 0.5);
  assert.equal(o?.memoryMb, 8000 - 2000 - 400);
  const [h] = clusterHosts([node('flp001', { allocCpus: 5, allocMemoryMb: 3000 })], own);
  assert.deepEqual(h?.environments, ['e1']);
  assert.equal(h?.cpuAllocated, 5);
});

test('inventory rows carry the state with its flags and the trouble', () => {
  const [h] = clusterHosts(
    [node('flp002', { state: 'down', flags: ['NOT_RESPONDING'], reason: 'Not responding' })],
    [],
  );
  assert.equal(h?.state, 'down+not_responding');
  assert.match(h?.trouble ?? '', /down/);
});

test('the ports offered to the scheduler lie outside the ephemeral range, also when it is not the default', () => {
  const ephemeral = { first: 31000, last: 60999 };
  const nodes = ['flp001', 'flp002'].map((n) => node(n));
  const offers = hostOffers(nodes, portRangesFor(nodes, agentPortRanges({}, ephemeral)), []);
  const ranges = offers.flatMap((o) => o.ports);
  assert.equal(ranges.length, 4);
  for (const r of ranges) assert.ok(r.end < ephemeral.first || r.begin > ephemeral.last, JSON.stringify(r));
  assert.deepEqual(
    offers.map((o) => o.ports[0]),
    [
      { begin: 30000, end: 30499 },
      { begin: 30500, end: 30999 },
    ],
  );
});
