/**
 * End to end on one machine with real processes: core + local agent + basic and hook tasks, driven through the
 * control API over gRPC. Afterwards no process started by Axle is left (checked by PID and by marker).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';
import { scaled, waitUntil } from '../common/testing/wait.ts';

const MARK = `axle-rt-${process.pid}`;

function templates(dir: string, out: string): void {
  const files: Record<string, string> = {
    'workflows/basic.yaml': `name: !public basic
defaults:
  out: "${out}"
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: worker
        task: { load: sleeper }
      - name: side
        task: { load: sleeper, critical: false }
      - name: before-start
        vars: { line: "hook before start" }
        task: { load: note, trigger: before_START_ACTIVITY+10, timeout: 5s }
      - name: at-destroy
        vars: { line: "destroy" }
        task: { load: note, trigger: DESTROY, timeout: 5s, critical: false }
`,
    'tasks/sleeper.yaml': `name: sleeper
control: { mode: basic }
command:
  shell: true
  value: "exec ${process.execPath} -e 'setTimeout(() => {}, 300000)' ${MARK} {{ task_parent_role }}"
`,
    'tasks/note.yaml': `name: note
control: { mode: basic }
command:
  shell: true
  value: "echo '{{ line }}' >> {{ out }}"
`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

function marked(): number[] {
  try {
    return execFileSync('pgrep', ['-f', MARK], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

test('basic and hook tasks through the control API, crash in RUNNING, destroy; no process left', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-rt-'));
  let core: RunningCore | undefined;
  try {
    const out = join(root, 'hook.log');
    templates(join(root, 'repo'), out);
    core = await startCore({ stateDir: join(root, 'state'), port: 0, localAgents: [{ host: 'localhost' }] });
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1);
    const agentPids = core.engine?.pids() ?? [];
    const c: Client<typeof Control> = createClient(Control, createGrpcTransport({ baseUrl: core.url }));

    const created = await c.newEnvironment({ workflowTemplate: 'basic', vars: { hosts: '["localhost"]' } });
    const id = created.environment?.id ?? '';
    assert.equal(created.environment?.state, 'CONFIGURED');
    assert.equal(marked().length, 0, 'basic tasks do not run before START');

    const started = await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    assert.equal(started.state, 'RUNNING');
    assert.ok(started.currentRunNumber > 0);
    await waitUntil('both basic tasks to run', () => marked().length === 2, 3000);
    assert.match(readFileSync(out, 'utf8'), /hook before start/);

    const stopped = await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
    assert.equal(stopped.state, 'CONFIGURED');
    await waitUntil('the basic tasks to end at STOP', () => marked().length === 0, 3000);

    await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    await waitUntil('both basic tasks to run again after START', () => marked().length === 2, 3000);
    const worker = execFileSync('pgrep', ['-f', `${MARK} basic.host-localhost.worker`], {
      encoding: 'utf8',
    }).trim();
    process.kill(Number(worker), 'SIGKILL');
    const t0 = Date.now();
    let state = '';
    await waitUntil(
      'the environment to go to ERROR after the crash',
      async () => {
        state = (await c.getEnvironment({ id })).environment?.state ?? '';
        return state === 'ERROR';
      },
      2000,
    );
    assert.ok(Date.now() - t0 < scaled(1500), 'ERROR within about 1 s');
    const env = await c.getEnvironment({ id, showWorkflowTree: true });
    const bad = env.environment?.tasks.find((t) => t.state === 'ERROR');
    assert.ok(bad !== undefined);

    await c.destroyEnvironment({ id, force: true });
    await waitUntil('no task process left after destroy', () => marked().length === 0, 3000);
    assert.match(readFileSync(out, 'utf8'), /destroy/);
    await assert.rejects(c.getEnvironment({ id }), /not found/);

    await core.stop();
    core = undefined;
    for (const pid of agentPids) assert.throws(() => process.kill(pid, 0), 'agent process is gone');
    assert.deepEqual(marked(), []);
  } finally {
    await core?.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
