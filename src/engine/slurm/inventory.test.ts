import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CONTROL_PORTS, TCP_PORTS, rangeSize } from '../../common/ports.ts';
import type { SlurmNode } from './inventory.ts';
import {
  nodeAttributes,
  nodeTrouble,
  parseGres,
  parseSinfoJson,
  portRangesFor,
  readNodes,
} from './inventory.ts';
import { eventually, startTestCluster } from './test-cluster.ts';
import type { TestCluster } from './test-cluster.ts';

const fixture = (name: string): string => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');
const byName = (nodes: SlurmNode[], name: string): SlurmNode => {
  const n = nodes.find((x) => x.name === name);
  assert.ok(n !== undefined, `node ${name}`);
  return n;
};

describe('parseSinfoJson on captured sinfo --json (Slurm 22.05)', () => {
  const nodes = parseSinfoJson(fixture('sinfo-troubled.json'));

  test('reads every node once with resources, allocations, GRES and partitions', () => {
    assert.deepEqual(
      nodes.map((n) => n.name),
      ['flp001', 'flp002', 'flp003', 'flp004'],
    );
    const n1 = byName(nodes, 'flp001');
    assert.deepEqual(
      { ...n1 },
      {
        name: 'flp001',
        address: '127.0.0.1',
        hostname: 'localhost',
        cpus: 8,
        allocCpus: 3,
        memoryMb: 8000,
        allocMemoryMb: 1200,
        features: ['flp', 'det_tst'],
        gres: { crorc: 2 },
        gresUsed: { crorc: 1 },
        state: 'mixed',
        flags: [],
        reason: '',
        partitions: ['flps', 'tst'],
      },
    );
  });

  test('drained, down and healthy nodes', () => {
    assert.equal(byName(nodes, 'flp002').state, 'drained');
    assert.equal(nodeTrouble(byName(nodes, 'flp002')), 'drained (maintenance)');
    assert.deepEqual(byName(nodes, 'flp004').flags, ['NOT_RESPONDING']);
    assert.equal(nodeTrouble(byName(nodes, 'flp004')), 'down (Not responding)');
    assert.equal(nodeTrouble(byName(nodes, 'flp001')), undefined);
    assert.equal(nodeTrouble(byName(nodes, 'flp003')), undefined);
  });

  test('a node listed once per partition comes out once, partitions merged', () => {
    const doc = JSON.parse(fixture('sinfo-idle.json')) as { nodes: Record<string, unknown>[] };
    const first = doc.nodes[0] ?? {};
    doc.nodes.push({ ...first, partitions: ['calib'] });
    const merged = parseSinfoJson(JSON.stringify(doc));
    assert.equal(merged.length, 4);
    assert.deepEqual(byName(merged, 'flp001').partitions, ['flps', 'calib']);
  });

  test('malformed input is a clear error', () => {
    assert.throws(() => parseSinfoJson('sinfo: error: x'), /^Error: sinfo --json: not JSON/);
    assert.throws(() => parseSinfoJson('[]'), /sinfo --json: expected a JSON object/);
    assert.throws(
      () => parseSinfoJson('{"errors":[{"error":"no controller"}]}'),
      /sinfo --json: no "nodes" list \(no controller\)/,
    );
    assert.throws(() => parseSinfoJson('{"nodes":[{"cpus":1}]}'), /sinfo --json: node #0 has no name/);
  });

  test('newer spellings: state arrays and number objects', () => {
    const [n] = parseSinfoJson(
      JSON.stringify({ nodes: [{ name: 'x', state: ['IDLE', 'DRAIN'], cpus: { set: true, number: 4 } }] }),
    );
    assert.equal(n?.state, 'drained');
    assert.equal(n?.cpus, 4);
    assert.equal(n?.address, 'x');
  });
});

test('parseGres', () => {
  assert.deepEqual(parseGres('crorc:2'), { crorc: 2 });
  assert.deepEqual(parseGres('gpu:tesla:2(S:0-1),gpu:a100:1,crorc:0(IDX:N/A)'), { gpu: 3, crorc: 0 });
  assert.deepEqual(parseGres('(null)'), {});
  assert.deepEqual(parseGres('N/A'), {});
  assert.deepEqual(parseGres(''), {});
});

describe('node views', () => {
  const [base] = parseSinfoJson(fixture('sinfo-idle.json'));
  assert.ok(base !== undefined);
  const node = (o: Partial<SlurmNode>): SlurmNode => ({ ...base, ...o });

  test('trouble from states and flags', () => {
    assert.equal(nodeTrouble(node({ flags: ['NOT_RESPONDING'] })), 'not responding');
    assert.equal(nodeTrouble(node({ state: 'fail', reason: '' })), 'fail');
    assert.equal(
      nodeTrouble(node({ state: 'mixed', flags: ['FAIL'], reason: 'bad disk' })),
      'fail (bad disk)',
    );
    assert.equal(nodeTrouble(node({ state: 'draining', reason: 'upgrade' })), 'draining (upgrade)');
    assert.equal(nodeTrouble(node({ state: 'allocated', flags: ['PLANNED', 'COMPLETING'] })), undefined);
  });

  test('attributes: features, detector, cards, gres, partition, state', () => {
    assert.deepEqual(nodeAttributes(base), {
      features: 'flp,det_tst',
      detector: 'TST',
      cards: '2',
      'gres.crorc': '2',
      partition: 'flps',
      slurm_state: 'idle',
    });
    const bare = nodeAttributes(node({ features: ['det_its', 'det_tpc'], gres: {}, partitions: ['a', 'b'] }));
    assert.deepEqual(bare, {
      features: 'det_its,det_tpc',
      detector: 'ITS,TPC',
      cards: '0',
      partition: 'a,b',
      slurm_state: 'idle',
    });
    assert.equal(nodeAttributes(node({ features: ['flp'] }))['detector'], undefined);
  });

  test('nodes sharing an address get disjoint port slices in name order; a lone node gets everything', () => {
    const nodes = ['flp003', 'flp001', 'flp002'].map((name) => node({ name }));
    nodes.push(node({ name: 'ctl', address: '10.0.0.9' }));
    const ports = portRangesFor(nodes);
    assert.deepEqual(ports.get('ctl'), { control: CONTROL_PORTS, tcp: TCP_PORTS });
    const slices = ['flp001', 'flp002', 'flp003'].map((n) => ports.get(n));
    assert.equal(slices[0]?.control.first, CONTROL_PORTS.first);
    assert.equal(slices[2]?.tcp.last, TCP_PORTS.last);
    for (let i = 1; i < 3; i++) {
      assert.equal(slices[i]?.control.first, (slices[i - 1]?.control.last ?? 0) + 1);
      assert.equal(slices[i]?.tcp.first, (slices[i - 1]?.tcp.last ?? 0) + 1);
    }
    const total = slices.reduce((s, r) => s + (r === undefined ? 0 : rangeSize(r.control)), 0);
    assert.equal(total, rangeSize(CONTROL_PORTS));
    const custom = portRangesFor(nodes.slice(0, 2), {
      control: { first: 100, last: 199 },
      tcp: { first: 1000, last: 1099 },
    });
    assert.deepEqual(custom.get('flp003'), {
      control: { first: 150, last: 199 },
      tcp: { first: 1050, last: 1099 },
    });
  });
});

describe('readNodes on a real cluster', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.stop();
  });

  test('lists the four nodes, idle and usable, with their features and cards', async () => {
    const nodes = await readNodes(cluster.cli);
    assert.deepEqual(
      nodes.map((n) => [n.name, n.state, nodeTrouble(n), nodeAttributes(n)['detector'], n.gres['crorc']]),
      [
        ['flp001', 'idle', undefined, 'TST', 2],
        ['flp002', 'idle', undefined, 'TST', 1],
        ['flp003', 'idle', undefined, 'TPC', 2],
        ['flp004', 'idle', undefined, 'TPC', 1],
      ],
    );
    assert.ok(nodes.every((n) => n.address === '127.0.0.1' && n.cpus === 8 && n.memoryMb === 8000));
  });

  test('a killed node shows trouble, a revived one is usable again', async () => {
    await cluster.killNode('flp004');
    let trouble: string | undefined;
    try {
      await eventually(
        async () => {
          trouble = nodeTrouble(byName(await readNodes(cluster.cli), 'flp004'));
          return trouble !== undefined;
        },
        20_000,
        'flp004 reported in trouble',
      );
      assert.match(trouble ?? '', /^(not responding|down \(Not responding\))$/);
    } finally {
      await cluster.reviveNode('flp004');
    }
    assert.equal(nodeTrouble(byName(await readNodes(cluster.cli), 'flp004')), undefined);
  });
});
