/**
 * Benchmark: DEPLOY-to-RUNNING of the example data-taking workflow on a real 4-node Slurm cluster (scripts/slurm on
 * 127.0.0.1), with Slurm's allocation time shown apart from the rest of DEPLOY (agents starting as job steps and
 * connecting, tasks launching), then CONFIGURE, START, STOP and teardown (scancel until the queue is empty).
 * Run: `node --import tsx bench/slurm.ts [rounds]` (default 3 rounds; needs root and `scripts/slurm install`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { startTestCluster } from '../src/engine/slurm/test-cluster.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../src/gen/protos/o2control_pb.ts';
import { startCore } from '../src/server/core.ts';
import { transitionMarks } from './transition-marks.ts';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'examples');
const rounds = Number(process.argv[2] ?? '3');
const HOSTS = '["flp001","flp002","flp003","flp004"]';

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, Math.round(performance.now() - t0)];
}

const root = mkdtempSync(join(tmpdir(), 'axle-bench-slurm-'));
const cluster = await startTestCluster({ nodes: 4 });
const core = await startCore({
  stateDir: join(root, 'state'),
  port: 0,
  config: `file://${join(EXAMPLES, 'config.yaml')}`,
  extraDefaults: { axle_task_bin: join(EXAMPLES, 'tasks') },
  slurm: { conf: cluster.conf, refreshMs: 1000 },
});
try {
  const repo = execFileSync('bash', [join(ROOT, 'scripts', 'example-repo.sh')], {
    env: { ...process.env, AXLE_STATE_DIR: root },
    encoding: 'utf8',
  }).trim();
  await core.context.repos.add(repo);
  const c = createClient(Control, createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: 120_000 }));
  console.log('Slurm 4 nodes, example datataking workflow on flp001-flp004 (7 tasks per node incl. hooks)');
  console.log('round  tasks  allocation  DEPLOY  CONFIGURE  START  DEPLOY-to-RUNNING  STOP  teardown   (ms)');
  for (let i = 1; i <= rounds; i++) {
    const marks = transitionMarks(core.context.bus);
    const [env, create] = await timed(() =>
      c.newEnvironment({ workflowTemplate: 'datataking', vars: { hosts: HOSTS } }),
    );
    const id = env.environment?.id ?? '';
    const allocation = core.cluster?.allocationOf(id)?.allocationMs ?? NaN;
    const [, start] = await timed(() => c.controlEnvironment({ id, type: Op.START_ACTIVITY }));
    const tasks = (await c.getEnvironment({ id })).environment?.tasks.length ?? 0;
    const [, stop] = await timed(() => c.controlEnvironment({ id, type: Op.STOP_ACTIVITY }));
    const [, destroy] = await timed(() => c.destroyEnvironment({ id }));
    marks.stop();
    const row = [
      i,
      tasks,
      allocation,
      marks.span('DEPLOY'),
      marks.span('CONFIGURE'),
      start,
      create + start,
      stop,
    ];
    console.log([...row, destroy].map((x) => String(x).padStart(5)).join('  '));
  }
} finally {
  await core.stop();
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
}
