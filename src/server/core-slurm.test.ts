/**
 * The core on a real Slurm cluster (scripts/slurm: munged, slurmctld and 4 slurmd on 127.0.0.1): the example
 * data-taking workflow across 4 nodes with per-host constraints runs with data flowing and comes back; constraints
 * that cannot be met make tasks UNDEPLOYABLE with the reason per host; two environments share nodes without port or CPU
 * collisions; a killed node and a node marked down put the environment in ERROR within 5 s naming the node. After every
 * test the Slurm queue is empty and no process is left.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { listJobs } from '../engine/slurm/allocation.ts';
import { survivors } from '../agent/test-fixtures.ts';
import { eventually, startTestCluster, stepProcesses } from '../engine/slurm/test-cluster.ts';
import type { TestCluster } from '../engine/slurm/test-cluster.ts';
import type { StampedEvent } from '../environment/events.ts';
import { ClusterService } from '../gen/axle/cluster/v1/cluster_pb.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import type { RunningCore } from './core.ts';
import { scaled } from '../common/testing/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const FOUR = '["flp001","flp002","flp003","flp004"]';
let root = '';
let cluster: TestCluster | undefined;
let core: RunningCore | undefined;
let c: Client<typeof Control>;
let datataking = '';
const taskPids = new Set<number>();

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** A workflow of one readout → sink pair per host of `hosts`, each task wanting `cpu` cores and the given host filter. */
const PAIRS = `name: pairs
defaults: { cpu: "1" }
vars: { detectors: "[]" }
roles:
  - name: "pair-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints:
      - { attribute: machine_id, value: "{{ it }}" }
    roles:
      - name: readout
        bind: [ { name: out, type: push, addressing: tcp } ]
        task: { load: readout-cpu }
      - name: sink
        connect: [ { name: in, type: pull, target: "{{ Parent().Path }}.readout:out" } ]
        task: { load: sink-cpu }
`;

const CARDS = `name: cards
defaults: { detector_set: "TPC", cards: "2", cpu: "1" }
roles:
  - name: reader
    constraints:
      - { attribute: detector, operator: in, value: "{{ detector_set }}" }
      - { attribute: cards, value: "{{ cards }}" }
      - { attribute: features, value: flp }
    task: { load: readout-cpu }
`;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'axle-core-slurm-'));
  cluster = await startTestCluster({ nodes: 4 });
  write(join(root, 'repo'), {
    'workflows/pairs.yaml': PAIRS,
    'workflows/cards.yaml': CARDS,
    'tasks/readout-cpu.yaml': `name: readout-cpu\nwants: { cpu: "{{ cpu }}", memory: 100 }\ncommand: { value: "${EXAMPLES}/tasks/readout", arguments: [ "--rate=200" ] }\n`,
    'tasks/sink-cpu.yaml': `name: sink-cpu\ncontrol: { mode: fairmq }\nwants: { cpu: "{{ cpu }}", memory: 100 }\ncommand: { value: "${EXAMPLES}/tasks/sink" }\n`,
  });
  execFileSync('git', ['init', '-q', '-b', 'master'], { cwd: join(root, 'repo') });
  execFileSync('git', ['add', '-A'], { cwd: join(root, 'repo') });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'wf'], {
    cwd: join(root, 'repo'),
  });
  const examples = execFileSync('bash', [join(ROOT, 'scripts', 'example-repo.sh')], {
    env: { ...process.env, AXLE_STATE_DIR: join(root, 'examples') },
    encoding: 'utf8',
  }).trim();
  core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    config: `file://${join(EXAMPLES, 'config.yaml')}`,
    extraDefaults: { axle_task_bin: join(EXAMPLES, 'tasks') },
    agentLostAfterMs: 2_000,
    slurm: { conf: cluster.conf, refreshMs: 500 },
  });
  await core.context.repos.add(join(root, 'repo'));
  const ex = await core.context.repos.add(examples);
  datataking = `${ex.id}/workflows/datataking@master`;
  c = createClient(Control, createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: scaled(90_000) }));
});

afterEach(async () => {
  for (const e of (await c.getEnvironments({})).environments)
    await c.destroyEnvironment({ id: e.id, force: true }).catch((err: unknown) => {
      console.error(`afterEach: destroying ${e.id} failed: ${String(err)}`);
    });
  await eventually(async () => (await liveJobs()).length === 0, 20_000, 'the Slurm queue is empty');
  assert.deepEqual(core?.cluster?.stepPids() ?? [], [], 'no srun client left');
  await eventually(() => survivors([...taskPids]).length === 0, 10_000, 'no task process left');
  await eventually(
    () => stepProcesses(cluster?.conf ?? '').length === 0,
    10_000,
    'no agent or task process left on any node',
  );
});

after(async () => {
  await core?.stop();
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Jobs Slurm still runs (finished ones stay listed for MinJobAge). */
async function liveJobs(): Promise<string[]> {
  if (cluster === undefined) return [];
  const jobs = await listJobs(cluster.cli);
  return jobs
    .filter((j) => ['RUNNING', 'PENDING', 'CONFIGURING', 'COMPLETING'].includes(j.state))
    .map((j) => j.jobId);
}

async function tasksOf(id: string): Promise<{ host: string; pid: number; path: string; id: string }[]> {
  const env = await c.getEnvironment({ id, showWorkflowTree: false });
  const out = (env.environment?.tasks ?? []).map((t) => ({
    host: t.deploymentInfo?.hostname ?? '',
    pid: Number(t.pid),
    path: t.name,
    id: t.taskId,
  }));
  for (const t of out) if (t.pid > 0) taskPids.add(t.pid);
  return out;
}

/** "stop: N frames received" counts in the task logs of an environment on one node. */
function framesOnNode(node: string, envId: string): number[] {
  const dir = join(root, 'state', 'nodes', node, 'logs', envId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/stop: (\d+) frames received/g)].map((m) => Number(m[1])),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('the example data-taking workflow runs across 4 Slurm nodes with data flowing, and comes back', async () => {
  const env = await c.newEnvironment({ workflowTemplate: datataking, vars: { hosts: FOUR } });
  const id = env.environment?.id ?? '';
  assert.equal(env.environment?.state, 'CONFIGURED');
  assert.ok(stepProcesses(cluster!.conf).length >= 4 * 4, 'agents and tasks run inside the job steps');
  const tasks = await tasksOf(id);
  for (const node of ['flp001', 'flp002', 'flp003', 'flp004']) {
    const here = tasks.filter((t) => t.host === node);
    assert.ok(here.length >= 4, `${node} runs its readout, builder, sender and monitor (${here.length})`);
  }
  const jobs = (await listJobs(cluster!.cli)).filter((j) => j.name === `axle-${id}`);
  assert.deepEqual(jobs.flatMap((j) => j.nodes).sort(), ['flp001', 'flp002', 'flp003', 'flp004']);
  const view = await createClient(ClusterService, createGrpcTransport({ baseUrl: core!.url })).listHosts({});
  assert.equal(view.engine, 'slurm');
  for (const h of view.hosts) {
    assert.deepEqual(h.environments, [id], `${h.host} lists the environment`);
    assert.ok(h.cpuReserved > 0 && h.cpuFree < h.cpu, `${h.host} has CPU reserved (${h.cpuReserved})`);
    assert.equal(h.agents, 1);
  }
  assert.equal(view.hosts.find((h) => h.host === 'flp003')?.attributes['detector'], 'TPC');
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  await sleep(1500);
  await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
  for (const node of ['flp001', 'flp002', 'flp003', 'flp004']) {
    const frames = framesOnNode(node, id);
    assert.ok(
      frames.some((n) => n > 0),
      `data reached the sender on ${node} (${frames.join(',')})`,
    );
  }
  await c.destroyEnvironment({ id });
  assert.deepEqual(await liveJobs(), [], 'teardown ended the job');
});

test('constraints that no node meets make the tasks UNDEPLOYABLE, with the reason per node', async () => {
  const placed = await c.newEnvironment({ workflowTemplate: 'cards', vars: {} });
  const t = await tasksOf(placed.environment?.id ?? '');
  assert.deepEqual(
    t.map((x) => x.host),
    ['flp003'],
    'the TPC FLP with 2 cards',
  );
  await c.destroyEnvironment({ id: placed.environment?.id ?? '' });
  const events: StampedEvent[] = [];
  const unsubscribe = core!.context.bus.subscribe((e) => events.push(e));
  try {
    await assert.rejects(
      c.newEnvironment({ workflowTemplate: 'cards', vars: { cards: '3', detector_set: 'TPC,TST' } }),
      (e: Error) => {
        assert.match(e.message, /undeployable/);
        assert.match(e.message, /no host can run cards\.reader/);
        assert.match(e.message, /flp00[1-4].*cards/);
        return true;
      },
    );
  } finally {
    unsubscribe();
  }
  const statuses = events.flatMap((e) => (e.event.kind === 'task' ? [e.event.status] : []));
  assert.ok(statuses.includes('UNDEPLOYABLE'), `task events: ${statuses.join(',')}`);
  assert.deepEqual(await liveJobs(), [], 'no allocation was made');
});

test('two environments share nodes without port or CPU collisions; a third that does not fit is refused', async () => {
  const hosts = '["flp002","flp004"]';
  const a = await c.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts, cpu: '2' } });
  const b = await c.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts, cpu: '2' } });
  const ids = [a.environment?.id ?? '', b.environment?.id ?? ''];
  await assert.rejects(
    c.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts, cpu: '2' } }),
    /no host can run .*cpu/,
  );
  const ports = new Map<string, string>();
  for (const id of ids) await tasksOf(id);
  for (const id of ids) {
    for (const t of core!.context.manager.get(id).tasks)
      for (const address of Object.values(t.endpoints))
        if (address.startsWith('tcp://')) {
          const key = `${t.host} ${address}`;
          assert.ok(!ports.has(key), `${key} is used by one environment only`);
          ports.set(key, id);
        }
  }
  await Promise.all(ids.map((id) => c.controlEnvironment({ id, type: Op.START_ACTIVITY })));
  await sleep(1000);
  await Promise.all(ids.map((id) => c.controlEnvironment({ id, type: Op.STOP_ACTIVITY })));
  for (const id of ids)
    for (const node of ['flp002', 'flp004'])
      assert.ok(
        framesOnNode(node, id).some((n) => n > 0),
        `data flowed in ${id} on ${node}`,
      );
  const nodes = (await listJobs(cluster!.cli)).filter((j) => j.state === 'RUNNING');
  assert.equal(nodes.length, 4, 'one job component per environment and node');
  for (const id of ids) await c.destroyEnvironment({ id });
});

/** Waits until environment `id` is in ERROR, at most 5 s (× timeScale()) after `t0`, with `node` in its last error. */
async function inErrorNaming(id: string, t0: number, node: string): Promise<void> {
  await eventually(
    async () => (await c.getEnvironment({ id })).environment?.state === 'ERROR',
    5_000,
    `environment ${id} in ERROR after ${node} was lost`,
  );
  assert.ok(Date.now() - t0 <= scaled(5_000), `ERROR after ${Date.now() - t0} ms`);
  assert.match(core!.context.manager.get(id).lastError, new RegExp(node));
}

test('a node killed while RUNNING puts the environment in ERROR within 5 s, naming the node', async () => {
  const env = await c.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts: '["flp003","flp004"]' } });
  const id = env.environment?.id ?? '';
  await tasksOf(id);
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  const t0 = Date.now();
  await cluster!.killNode('flp004');
  try {
    await inErrorNaming(id, t0, 'flp004');
  } finally {
    await cluster!.reviveNode('flp004'); // the later tests of this file use all 4 nodes
  }
  await c.destroyEnvironment({ id, force: true });
});

test('a node whose slurmd alone is killed puts the environment in ERROR within 5 s, naming the node', async () => {
  const env = await c.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts: '["flp001","flp003"]' } });
  const id = env.environment?.id ?? '';
  await tasksOf(id);
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  const t0 = Date.now();
  await cluster!.killSlurmd('flp003');
  try {
    await inErrorNaming(id, t0, 'flp003');
  } finally {
    await cluster!.reviveNode('flp003');
  }
  await c.destroyEnvironment({ id, force: true });
});

test('a node marked down in Slurm puts the environment in ERROR within 5 s, naming the node', async () => {
  const env = await c.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts: '["flp001","flp002"]' } });
  const id = env.environment?.id ?? '';
  await tasksOf(id);
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  const t0 = Date.now();
  await cluster!.cli.run('scontrol', ['update', 'nodename=flp002', 'state=down', 'reason=maintenance']);
  try {
    await inErrorNaming(id, t0, 'flp002');
    await c.destroyEnvironment({ id, force: true });
  } finally {
    // With ReturnToService=2 the node may already be back in service, and then Slurm refuses the resume.
    await cluster!.cli.run('scontrol', ['update', 'nodename=flp002', 'state=resume']).catch(() => undefined);
  }
  await eventually(
    () => core!.context.registry.hosts().some((h) => h.host === 'flp002'),
    10_000,
    'flp002 offered again',
  );
});

test('an agent that cannot start on a node fails the creation at once, naming the node and its log', async () => {
  const broken = await startCore({
    stateDir: join(root, 'broken'),
    port: 0,
    config: `file://${join(EXAMPLES, 'config.yaml')}`,
    slurm: { conf: cluster!.conf, refreshMs: 500, agentCommand: ['/bin/false'] },
  });
  try {
    await broken.context.repos.add(join(root, 'repo'));
    const b = createClient(
      Control,
      createGrpcTransport({ baseUrl: broken.url, defaultTimeoutMs: scaled(60_000) }),
    );
    const t0 = Date.now();
    await assert.rejects(
      b.newEnvironment({ workflowTemplate: 'pairs', vars: { hosts: '["flp001"]' } }),
      /the agent of environment \S+ on flp001 \(Slurm job \d+\) ended with exit code 1; its log: \S+flp001\.log/,
    );
    assert.ok(Date.now() - t0 < scaled(15_000), 'without waiting for the connect timeout');
    await eventually(async () => (await liveJobs()).length === 0, 20_000, 'the allocation was cancelled');
  } finally {
    await broken.stop();
  }
});
