import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { allocate, cancel, listJobs, waitGone } from './allocation.ts';
import { SlurmCli } from './slurm-cli.ts';
import { launchStep, stepArgs } from './steps.ts';
import type { StepProcess } from './steps.ts';
import { eventually, pidAlive, startTestCluster } from './test-cluster.ts';
import type { TestCluster } from './test-cluster.ts';

test('stepArgs names the component only for a heterogeneous job', () => {
  const o = { jobId: '7', node: 'flp002', name: 's', command: ['env', '-0'], logPath: '/l' };
  assert.deepEqual(stepArgs(o), [
    ...[
      '--jobid=7',
      '-N1',
      '-n1',
      '-w',
      'flp002',
      '-J',
      's',
      '--overlap',
      '--no-kill',
      '--kill-on-bad-exit=0',
    ],
    ...['--quiet', 'env', '-0'],
  ]);
  assert.equal(stepArgs({ ...o, hetGroup: 1 })[1], '--het-group=1');
});

/** A step command that records its node, a variable and its PID, then waits. */
const recorder = (dir: string, tag: string): string[] => [
  'sh',
  '-c',
  `echo "$SLURMD_NODENAME $MARK" > ${dir}/${tag}.out; echo $$ > ${dir}/${tag}.pid; echo started; exec sleep 300`,
];

describe('job steps on a real cluster', () => {
  let cluster: TestCluster;
  let dir: string;
  const steps: StepProcess[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'axle-steps-'));
    cluster = await startTestCluster();
  });
  after(async () => {
    for (const s of steps) s.kill('SIGKILL');
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    const left = await listJobs(cluster.cli);
    for (const j of left) await cancel(cluster.cli, j.hetJobId);
    for (const j of left) await waitGone(cluster.cli, j.hetJobId, 10_000);
    assert.deepEqual(left, [], 'the queue is empty after the test');
  });

  const waitFile = async (path: string): Promise<string> => {
    await eventually(
      () => existsSync(path) && readFileSync(path, 'utf8').endsWith('\n'),
      10_000,
      `the job step to write ${path}`,
    );
    return readFileSync(path, 'utf8').trim();
  };

  test('a step runs on each component node; cancel ends the steps and srun', async () => {
    const components = [
      { node: 'flp001', cpus: 2, memoryMb: 500 },
      { node: 'flp003', cpus: 1, memoryMb: 300 },
    ];
    const alloc = await allocate(cluster.cli, { name: 'env-steps', components });
    const launched = components.map((c, i) =>
      launchStep(cluster.cli, {
        jobId: alloc.jobId,
        hetGroup: i,
        node: c.node,
        name: `agent-${c.node}`,
        command: recorder(dir, c.node),
        env: { MARK: `m${i}` },
        logPath: join(dir, 'logs', `${c.node}.log`),
      }),
    );
    steps.push(...launched);
    assert.equal(await waitFile(join(dir, 'flp001.out')), 'flp001 m0');
    assert.equal(await waitFile(join(dir, 'flp003.out')), 'flp003 m1');
    const remote = await Promise.all(
      ['flp001', 'flp003'].map(async (n) => Number(await waitFile(join(dir, `${n}.pid`)))),
    );
    assert.ok(remote.every((pid) => pidAlive(pid)));
    assert.ok(launched.every((s) => pidAlive(s.pid)));
    assert.equal(readFileSync(join(dir, 'logs', 'flp001.log'), 'utf8'), 'started\n');

    await cancel(cluster.cli, alloc.jobId);
    assert.equal(await waitGone(cluster.cli, alloc.jobId, 15_000), true);
    const exits = await Promise.all(launched.map((s) => s.exited));
    assert.ok(
      exits.every((e) => e.code !== 0),
      JSON.stringify(exits),
    );
    await eventually(() => remote.every((pid) => !pidAlive(pid)), 5000, 'step processes gone');
    assert.ok(
      launched.every((s) => !pidAlive(s.pid)),
      'srun gone',
    );
  });

  test('an ordinary job: exit code passes through; SIGTERM ends a step but not the job', async () => {
    const alloc = await allocate(cluster.cli, {
      name: 'env-one',
      components: [{ node: 'flp002', cpus: 1, memoryMb: 100 }],
    });
    const base = { jobId: alloc.jobId, node: 'flp002', logPath: join(dir, 'logs', 'one.log') };
    const failing = launchStep(cluster.cli, {
      ...base,
      name: 'fails',
      command: ['sh', '-c', 'echo bye; exit 3'],
    });
    steps.push(failing);
    assert.deepEqual(await failing.exited, { code: 3, signal: null });
    assert.match(readFileSync(base.logPath, 'utf8'), /^bye$/m);

    const long = launchStep(cluster.cli, { ...base, name: 'long', command: recorder(dir, 'one') });
    steps.push(long);
    const pid = Number(await waitFile(join(dir, 'one.pid')));
    long.kill('SIGTERM');
    const exit = await long.exited;
    assert.notEqual(exit.code, 0);
    await eventually(() => !pidAlive(pid), 10_000, 'step process ended by SIGTERM');
    long.kill('SIGTERM');
    assert.equal((await listJobs(cluster.cli, { name: 'env-one' }))[0]?.state, 'RUNNING');

    await cancel(cluster.cli, alloc.jobId);
    assert.equal(await waitGone(cluster.cli, alloc.jobId, 15_000), true);
  });

  test('srun that cannot start is reported through exited', async () => {
    const cli = new SlurmCli({ binDir: join(dir, 'no-such-bin') });
    const logPath = join(dir, 'logs', 'missing.log');
    const s = launchStep(cli, { jobId: '1', node: 'flp001', name: 'x', command: ['true'], logPath });
    const exit = await s.exited;
    assert.equal(exit.code, null);
    assert.match(exit.error ?? '', /ENOENT/);
    assert.match(readFileSync(logPath, 'utf8'), /srun could not start/);
    s.kill('SIGTERM');
  });
});
