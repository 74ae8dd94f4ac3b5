import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  allocate,
  cancel,
  componentArgs,
  expandHostlist,
  listJobs,
  parseSqueueJson,
  waitGone,
} from './allocation.ts';
import { readNodes } from './inventory.ts';
import { SlurmError } from './slurm-cli.ts';
import { eventually, startTestCluster } from './test-cluster.ts';
import type { TestCluster } from './test-cluster.ts';
import { scaled } from '../../common/testing/wait.ts';

const fixture = (name: string): string => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');

describe('squeue --json parsing (captured, Slurm 22.05)', () => {
  test('a heterogeneous job is listed component by component', () => {
    const jobs = parseSqueueJson(fixture('squeue-het.json'));
    assert.deepEqual(jobs, [
      {
        jobId: '1',
        hetJobId: '1',
        hetOffset: 0,
        name: 't1',
        state: 'RUNNING',
        active: true,
        nodes: ['flp001'],
        reason: 'None',
      },
      {
        jobId: '2',
        hetJobId: '1',
        hetOffset: 1,
        name: 't1',
        state: 'RUNNING',
        active: true,
        nodes: ['flp003'],
        reason: 'None',
      },
    ]);
  });

  test('ended jobs are inactive; an ordinary job is its own allocation; a pending one has no nodes', () => {
    const jobs = parseSqueueJson(fixture('squeue-mixed.json'));
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.hetJobId, j.hetOffset, j.state, j.active, j.nodes.join(',')]),
      [
        ['6', '6', 0, 'CANCELLED', false, 'flp001'],
        ['7', '7', 0, 'RUNNING', true, 'flp001'],
        ['8', '8', 0, 'CANCELLED', false, 'flp002'],
        ['9', '8', 1, 'CANCELLED', false, 'flp004'],
        ['10', '10', 0, 'PENDING', true, ''],
      ],
    );
  });

  test('malformed input is a clear error', () => {
    assert.throws(() => parseSqueueJson('squeue: error: x'), /^Error: squeue --json: not JSON/);
    assert.throws(() => parseSqueueJson('{"meta":{}}'), /squeue --json: no "jobs" list/);
    assert.throws(() => parseSqueueJson('{"jobs":[{"name":"x"}]}'), /squeue --json: job #0 has no job_id/);
  });
});

test('expandHostlist', () => {
  assert.deepEqual(expandHostlist('flp[001-003,007],ctl1'), ['flp001', 'flp002', 'flp003', 'flp007', 'ctl1']);
  assert.deepEqual(expandHostlist('flp001'), ['flp001']);
  assert.deepEqual(expandHostlist(''), []);
});

test('componentArgs rounds CPUs and memory up, to at least 1', () => {
  assert.deepEqual(componentArgs({ node: 'n1', cpus: 0.2, memoryMb: 0 }), [
    ...['-w', 'n1', '-N1', '-n1', '-c', '1', '--mem', '1'],
  ]);
  assert.deepEqual(
    componentArgs({ node: 'n1', cpus: 2.5, memoryMb: 99.1, gres: { crorc: 2, gpu: 0 } }, 'p'),
    [...['-w', 'n1', '-N1', '-n1', '-c', '3', '--mem', '100', '-p', 'p', '--gres=crorc:2']],
  );
});

describe('allocations on a real cluster', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.stop();
  });
  afterEach(async () => {
    const left = await listJobs(cluster.cli);
    for (const j of left) await cancel(cluster.cli, j.hetJobId);
    for (const j of left) await waitGone(cluster.cli, j.hetJobId, 10_000);
    assert.deepEqual(left, [], 'the queue is empty after the test');
  });

  test('a heterogeneous job on flp001+flp003 is listed, holds the resources, and is gone after cancel', async () => {
    const components = [
      { node: 'flp001', cpus: 2, memoryMb: 500, gres: { crorc: 1 } },
      { node: 'flp003', cpus: 1.5, memoryMb: 300 },
    ];
    const alloc = await allocate(cluster.cli, { name: 'env-a', components, partition: 'flps' });
    assert.match(alloc.jobId, /^\d+$/);
    assert.equal(alloc.heterogeneous, true);
    assert.ok(alloc.ms > 0 && alloc.ms < 10_000);

    const jobs = await listJobs(cluster.cli, { name: 'env-a' });
    assert.deepEqual(
      jobs.map((j) => [j.hetJobId, j.hetOffset, j.nodes, j.state]),
      [
        [alloc.jobId, 0, ['flp001'], 'RUNNING'],
        [alloc.jobId, 1, ['flp003'], 'RUNNING'],
      ],
    );
    assert.deepEqual(await listJobs(cluster.cli, { name: 'other' }), []);

    const nodes = new Map((await readNodes(cluster.cli)).map((n) => [n.name, n]));
    assert.deepEqual(
      ['flp001', 'flp002', 'flp003'].map((name) => {
        const n = nodes.get(name);
        return [name, n?.allocCpus, n?.allocMemoryMb, n?.gresUsed['crorc'], n?.state];
      }),
      [
        ['flp001', 2, 500, 1, 'mixed'],
        ['flp002', 0, 0, 0, 'idle'],
        ['flp003', 2, 300, 0, 'mixed'],
      ],
    );

    await cancel(cluster.cli, alloc.jobId);
    assert.equal(await waitGone(cluster.cli, alloc.jobId, 10_000), true);
    await eventually(
      async () => (await readNodes(cluster.cli)).every((n) => n.allocCpus === 0),
      10_000,
      'CPUs released',
    );
    await cancel(cluster.cli, alloc.jobId);
  });

  test('a single component makes an ordinary job', async () => {
    const alloc = await allocate(cluster.cli, {
      name: 'env-b',
      components: [{ node: 'flp002', cpus: 1, memoryMb: 100 }],
    });
    assert.equal(alloc.heterogeneous, false);
    const jobs = await listJobs(cluster.cli, { name: 'env-b' });
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.hetJobId, j.hetOffset, j.nodes]),
      [[alloc.jobId, alloc.jobId, 0, ['flp002']]],
    );
    assert.equal(await waitGone(cluster.cli, alloc.jobId, 300), false, 'still running');
    await cancel(cluster.cli, alloc.jobId);
    assert.equal(await waitGone(cluster.cli, alloc.jobId, 10_000), true);
    assert.equal((await listJobs(cluster.cli, { name: 'env-b', all: true }))[0]?.active, false);
  });

  test('refusals carry Slurm reason: unknown node, too many CPUs, too much memory, no components', async () => {
    const refused = async (node: string, cpus: number, memoryMb: number, reason: RegExp): Promise<void> => {
      const components = [
        { node: 'flp001', cpus: 1, memoryMb: 100 },
        { node, cpus, memoryMb },
      ];
      await assert.rejects(allocate(cluster.cli, { name: 'bad', components, waitS: 2 }), (e: unknown) => {
        assert.ok(e instanceof SlurmError);
        assert.match(e.message, /^salloc --no-shell --immediate=2 .* failed \(exit 1\): /);
        assert.match(e.reason, reason);
        return true;
      });
    };
    await refused('flp999', 1, 100, /Invalid node name specified/);
    await refused('flp002', 20, 100, /CPU count per node can not be satisfied/);
    await refused('flp002', 1, 100_000, /Memory specification can not be satisfied/);
    await assert.rejects(allocate(cluster.cli, { name: 'none', components: [] }), /no components/);
  });

  test('a node without room refuses after waitS', async () => {
    const full = await allocate(cluster.cli, {
      name: 'full',
      components: [{ node: 'flp004', cpus: 8, memoryMb: 1 }],
    });
    const started = Date.now();
    await assert.rejects(
      allocate(cluster.cli, {
        name: 'late',
        components: [{ node: 'flp004', cpus: 1, memoryMb: 1 }],
        waitS: 1,
      }),
      /Unable to allocate resources/,
    );
    assert.ok(Date.now() - started < scaled(8000), `took ${Date.now() - started} ms`);
    await cancel(cluster.cli, full.jobId);
    assert.equal(await waitGone(cluster.cli, full.jobId, 10_000), true);
  });

  test('cancelling an unknown job is not an error; waitGone of a job never seen is immediate', async () => {
    await cancel(cluster.cli, '999999');
    assert.equal(await waitGone(cluster.cli, '999999', 0), true);
  });
});
