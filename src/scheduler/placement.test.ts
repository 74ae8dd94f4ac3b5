import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeAll } from './placement.ts';
import { Ledger } from './placement-ledger.ts';
import type { HostOffer, PlacementRequest, PlacementResult, TaskPlacement } from './placement-types.ts';

const offer = (host: string, over: Partial<HostOffer> = {}): HostOffer => ({
  host,
  cpu: 4,
  memoryMb: 4000,
  ports: [
    { begin: 9000, end: 9099 },
    { begin: 30000, end: 30099 },
  ],
  attributes: {},
  ...over,
});
const req = (taskId: string, over: Partial<PlacementRequest> = {}): PlacementRequest => ({
  taskId,
  path: `wf.${taskId}`,
  cpu: 1,
  memoryMb: 100,
  staticPorts: [],
  dynamicPorts: 0,
  constraints: [],
  ...over,
});
const hostsOf = (r: PlacementResult): Record<string, string> =>
  Object.fromEntries(r.placements.map((p) => [p.taskId, p.host]));
const placed = (r: PlacementResult): readonly TaskPlacement[] => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.placements;
};

test('packing: least loaded first, ties by name, then the hosts holding the environment fill first', () => {
  const hosts = [offer('b'), offer('a'), offer('c')];
  const r1 = placeAll([req('t1'), req('t2'), req('t3'), req('t4')], hosts, new Ledger());
  assert.deepEqual(hostsOf(r1), { t1: 'a', t2: 'a', t3: 'a', t4: 'a' });
  const ledger = new Ledger();
  ledger.reserve('env1', [...placed(placeAll([req('x', { cpu: 3 })], hosts, ledger))]);
  ledger.reserve('env2', [...placed(placeAll([req('y', { cpu: 1 })], hosts, ledger))]);
  assert.deepEqual(
    ledger.placementsOf('env2').map((p) => p.host),
    ['b'],
    'env2 avoids loaded a, b before c by name',
  );
  const more = placeAll([req('z1'), req('z2')], hosts, ledger, { envId: 'env1' });
  assert.deepEqual(
    hostsOf(more),
    { z1: 'a', z2: 'c' },
    'env1 fills a (1 core left), then the least loaded host',
  );
});

test('CPU, memory and ports are never exceeded across two environments; release frees them', () => {
  const hosts = [offer('h1', { cpu: 2, memoryMb: 1000, ports: [{ begin: 9000, end: 9002 }] })];
  const ledger = new Ledger();
  const cases: [string, PlacementRequest, string][] = [
    ['cpu', req('c', { cpu: 1.5 }), 'cpu: wants 1.5, free 1'],
    ['memory', req('m', { cpu: 0.1, memoryMb: 600 }), 'memory: wants 600 MB, free 500 MB'],
    ['dynamic ports', req('p', { cpu: 0.1, dynamicPorts: 2 }), 'ports: wants 2 dynamic, free 1'],
    [
      'static port',
      req('s', { cpu: 0.1, staticPorts: [{ begin: 9000, end: 9000 }] }),
      'static port 9000 taken',
    ],
    [
      'static port not offered',
      req('n', { cpu: 0.1, staticPorts: [{ begin: 80, end: 80 }] }),
      'static port 80 not offered',
    ],
  ];
  const first = placeAll([req('e1', { memoryMb: 500, dynamicPorts: 2 })], hosts, ledger);
  assert.deepEqual(placed(first)[0]?.channelPorts, [9000, 9001]);
  assert.deepEqual(ledger.reserve('env1', placed(first)), { ok: true });
  for (const [name, r, reason] of cases) {
    const out = placeAll([r], hosts, ledger);
    assert.equal(out.ok, false, name);
    if (!out.ok)
      assert.deepEqual(
        out.undeployable[0]?.reasons.map((x) => [x.host, x.reason]),
        [['h1', reason]],
        name,
      );
  }
  assert.equal(ledger.usage('h1').cpuMilli, 1000);
  assert.equal(ledger.release('env1'), true);
  assert.deepEqual(ledger.usage('h1'), {
    cpuMilli: 0,
    memoryMilli: 0,
    ports: new Set(),
    tasks: 0,
    envs: new Set(),
  });
  assert.equal(ledger.release('env1'), false);
  for (const [name, r] of cases.slice(0, 4))
    assert.ok(placeAll([r], hosts, ledger).ok, `${name} after release`);
});

test('dynamic ports: channels ≥ 9000, control ≥ 30000, fallback to what the offer has; none double-booked', () => {
  const cases: [string, HostOffer['ports'], number[], number | undefined][] = [
    [
      'standard ranges',
      [
        { begin: 30000, end: 30010 },
        { begin: 8000, end: 9001 },
      ],
      [9000, 9001],
      30000,
    ],
    ['no port ≥ 30000', [{ begin: 9000, end: 9010 }], [9000, 9001], 9002],
    ['only low ports', [{ begin: 100, end: 110 }], [100, 101], 102],
  ];
  for (const [name, ports, channels, control] of cases) {
    const r = placeAll(
      [req('t', { dynamicPorts: 3, controlPort: true })],
      [offer('h', { ports })],
      new Ledger(),
    );
    assert.deepEqual(placed(r)[0]?.channelPorts, channels, name);
    assert.equal(placed(r)[0]?.controlPort, control, name);
  }
  const ledger = new Ledger();
  const hosts = [offer('h')];
  const a = placed(placeAll([req('a', { dynamicPorts: 2, controlPort: true })], hosts, ledger));
  ledger.reserve('e1', a);
  const b = placed(placeAll([req('b', { dynamicPorts: 2, controlPort: true })], hosts, ledger));
  assert.deepEqual(
    [a[0]?.channelPorts, a[0]?.controlPort, b[0]?.channelPorts, b[0]?.controlPort],
    [[9000], 30000, [9001], 30001],
  );
  assert.equal(ledger.reserve('e2', a).ok, false, 'a second reservation of the same ports is refused');
});

test('same-host groups go together and take their summed resources', () => {
  const hosts = [offer('a', { cpu: 2 }), offer('b', { cpu: 4 })];
  const group = [
    req('g1', { sameHostAs: 'G' }),
    req('g2', { sameHostAs: 'G' }),
    req('g3', { sameHostAs: 'G' }),
  ];
  const r = placeAll([req('lone', { cpu: 2 }), ...group], hosts, new Ledger());
  assert.deepEqual(hostsOf(r), { lone: 'a', g1: 'b', g2: 'b', g3: 'b' });
  assert.deepEqual(
    placed(r).map((p) => p.taskId),
    ['lone', 'g1', 'g2', 'g3'],
    'placements in request order',
  );
  const tooBig = placeAll([...group, req('g4', { sameHostAs: 'G', cpu: 2 })], hosts, new Ledger());
  assert.equal(tooBig.ok, false);
  if (!tooBig.ok) {
    assert.deepEqual(
      tooBig.undeployable.map((u) => u.taskId),
      ['g1', 'g2', 'g3', 'g4'],
    );
    assert.deepEqual(
      tooBig.undeployable[0]?.reasons.map((x) => x.reason),
      ['same-host group of 4 tasks: cpu: wants 5, free 2-4'],
    );
  }
  const pinned = [
    req('p1', { sameHostAs: 'P' }),
    req('p2', { sameHostAs: 'P', constraints: [{ attribute: 'machine_id', operator: '=', value: 'a' }] }),
  ];
  assert.deepEqual(
    hostsOf(placeAll(pinned, hosts, new Ledger())),
    { p1: 'a', p2: 'a' },
    'a member pins the group',
  );
});

test('explanations: one reason per refused host, grouped, at most 5 names plus a count', () => {
  const hosts = [
    ...Array.from({ length: 12 }, (_, i) =>
      offer(`flp${String(i).padStart(3, '0')}`, { attributes: { detector: i < 9 ? 'TPC' : 'ITS' } }),
    ),
    offer('qc01', { attributes: {} }),
  ];
  const r = placeAll(
    [
      req('ok'),
      req('tof', { path: 'wf.tof', constraints: [{ attribute: 'detector', operator: '=', value: 'TOF' }] }),
      req('gone', { constraints: [{ attribute: 'machine_id', operator: '=', value: 'flp999' }] }),
    ],
    hosts,
    new Ledger(),
  );
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(hostsOf(r), { ok: 'flp000' });
  assert.deepEqual(
    r.undeployable.map((u) => [u.taskId, u.path]),
    [
      ['tof', 'wf.tof'],
      ['gone', 'wf.gone'],
    ],
  );
  assert.deepEqual(r.undeployable[0]?.reasons, [
    {
      host: 'flp000, flp001, flp002, flp003, flp004 (+4 more)',
      hosts: ['flp000', 'flp001', 'flp002', 'flp003', 'flp004'],
      count: 9,
      reason: 'detector is TPC, wanted TOF',
    },
    {
      host: 'flp009, flp010, flp011',
      hosts: ['flp009', 'flp010', 'flp011'],
      count: 3,
      reason: 'detector is ITS, wanted TOF',
    },
    { host: 'qc01', hosts: ['qc01'], count: 1, reason: 'detector not set, wanted TOF' },
  ]);
  assert.deepEqual(
    r.undeployable[1]?.reasons.map((x) => [x.count, x.reason]),
    [[13, 'machine_id: not named flp999']],
  );
  const none = placeAll([req('x')], [], new Ledger());
  assert.ok(!none.ok && none.undeployable[0]?.reasons[0]?.reason === 'no host offers resources');
});

test('determinism: same input gives the same output, whatever the host order', () => {
  const hosts = Array.from({ length: 20 }, (_, i) => offer(`h${i}`, { attributes: { d: String(i % 3) } }));
  const reqs = Array.from({ length: 60 }, (_, i) =>
    req(`t${i}`, {
      cpu: 0.5,
      dynamicPorts: 2,
      controlPort: true,
      constraints: [{ attribute: 'd', operator: 'in', value: `${i % 3},${(i + 1) % 3}` }],
    }),
  );
  const one = placeAll(reqs, hosts, new Ledger());
  assert.deepEqual(placeAll(reqs, hosts, new Ledger()), one);
  assert.deepEqual(placeAll(reqs, [...hosts].reverse(), new Ledger()), one);
});
