/**
 * GetTasks as coconut's `task list` sees it, with real agents and processes: a crashed task leaves the roster with
 * its environment; tasks kept by `destroy -k` keep their class, state, PID and claimable flag until CleanupTasks;
 * a basic task shows the PID of the command START runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';
import { waitUntil } from '../common/testing/wait.ts';

const MARK = `axle-roster-${process.pid}`;
const IDLE = join(import.meta.dirname, 'testdata', 'idle-task.ts');

function templates(dir: string): void {
  const files: Record<string, string> = {
    'workflows/roster.yaml': `name: !public roster
roles:
  - name: occ
    task: { load: idle, critical: false }
  - name: sleeper
    task: { load: sleeper, critical: false }
`,
    'tasks/idle.yaml': `name: idle
command: { value: "${process.execPath}", arguments: [ "--import", "tsx", "${IDLE}", "${MARK}", "{{ environment_id }}" ] }
`,
    'tasks/sleeper.yaml': `name: sleeper
control: { mode: basic }
command:
  shell: true
  value: "exec ${process.execPath} -e 'setTimeout(() => {}, 300000)' ${MARK} {{ environment_id }}"
`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** PIDs of this test's task processes, of one environment when given. */
function marked(envId = ''): number[] {
  try {
    return execFileSync('pgrep', ['-f', `${MARK} ${envId}`.trim()], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

let root = '';
let core: RunningCore | undefined;
let c: Client<typeof Control>;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'axle-roster-'));
  templates(join(root, 'repo'));
  core = await startCore({ stateDir: join(root, 'state'), port: 0, localAgents: [{ host: 'localhost' }] });
  await core.context.repos.add(join(root, 'repo'));
  await waitForAgents(core, 1, 15_000);
  c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
});

after(async () => {
  await core?.stop();
  rmSync(root, { recursive: true, force: true });
  assert.deepEqual(marked(), [], 'no task process is left');
});

async function create(): Promise<string> {
  const r = await c.newEnvironment({ workflowTemplate: 'roster', vars: {} });
  assert.equal(r.environment?.state, 'CONFIGURED');
  return r.environment?.id ?? '';
}

test('a task that crashed leaves GetTasks with its environment', async () => {
  const id = await create();
  const pids = marked(id);
  assert.equal(pids.length, 1, 'the direct task runs (the basic one waits for START)');
  process.kill(pids[0] ?? 0, 'SIGKILL');
  await waitUntil(
    'the crash to reach the core',
    async () => {
      const env = await c.getEnvironment({ id });
      return env.environment?.tasks.some((t) => t.status === 'INACTIVE' && t.state === 'ERROR') === true;
    },
    10_000,
  );
  await c.destroyEnvironment({ id });
  assert.deepEqual((await c.getTasks({})).tasks, [], 'no task of the destroyed environment is listed');
});

test('tasks kept with keepTasks keep class, state, PID and claimable flag until CleanupTasks', async () => {
  const id = await create();
  const [pid] = marked(id);
  const r = await c.destroyEnvironment({ id, keepTasks: true });
  assert.equal(r.cleanupTasksReply?.killedTasks.length ?? 0, 0);
  const tasks = (await c.getTasks({})).tasks;
  const occ = tasks.find((t) => t.className.includes('/tasks/idle@'));
  assert.ok(occ !== undefined, `the kept direct task is listed with its class: ${JSON.stringify(tasks)}`);
  assert.deepEqual(
    [occ.state, occ.status, occ.locked, occ.claimable, occ.pid, occ.deploymentInfo?.hostname],
    ['STANDBY', 'ACTIVE', false, true, String(pid), 'localhost'],
  );
  assert.equal(tasks.length, 2);
  assert.deepEqual(marked(id), [pid], 'kept running');
  const cleaned = await c.cleanupTasks({ taskIds: [] });
  assert.deepEqual(cleaned.killedTasks.map((t) => t.taskId).sort(), tasks.map((t) => t.taskId).sort());
  assert.deepEqual((await c.getTasks({})).tasks, []);
  await waitUntil('the kept task to be gone', () => marked(id).length === 0, 10_000);
});

test('a basic task shows the PID of the command START runs', async () => {
  const id = await create();
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  await waitUntil('the basic task to run', () => marked(id).length === 2, 10_000);
  const sleeper = (await c.getTasks({})).tasks.find((t) => t.className.includes('/tasks/sleeper@'));
  assert.ok(sleeper !== undefined);
  assert.notEqual(sleeper.pid, '', 'a PID is shown');
  assert.ok(marked(id).includes(Number(sleeper.pid)), `PID ${sleeper.pid} is the running command's`);
  await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
  const stopped = (await c.getTasks({})).tasks.find((t) => t.className.includes('/tasks/sleeper@'));
  assert.equal(stopped?.pid, '', 'no PID once STOP ended the command');
  await c.destroyEnvironment({ id });
});
