/**
 * An agent killed with SIGKILL while its environment runs: the core sees the stream end, the tasks are lost, the
 * environment goes to ERROR naming the host within about a second, and the agent's reaper ends the task processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import { scaled, waitUntil } from '../common/testing/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MARK = `axle-loss-${process.pid}`;

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

test('agent killed while RUNNING: ERROR within ~1 s with the host named, and no task left', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-loss-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'workflows'), { recursive: true });
  mkdirSync(join(repo, 'tasks'), { recursive: true });
  writeFileSync(
    join(repo, 'workflows', 'one.yaml'),
    'name: one\nroles:\n  - name: r\n    constraints: [ { attribute: machine_id, value: flp007 } ]\n    task: { load: readout }\n',
  );
  writeFileSync(
    join(repo, 'tasks', 'readout.yaml'),
    `name: readout\ncommand: { value: "${ROOT}/examples/tasks/readout", arguments: [ "--name=${MARK}" ] }\n`,
  );
  const core = await startCore({ stateDir: join(root, 'state'), port: 0, localAgents: [{ host: 'flp007' }] });
  try {
    await core.context.repos.add(repo);
    await waitForAgents(core, 1);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const env = await c.newEnvironment({ workflowTemplate: 'one', vars: {} });
    const id = env.environment?.id ?? '';
    await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    assert.equal(marked().length, 1);
    const [agent] = core.engine?.pids() ?? [];
    assert.ok(agent !== undefined);
    const t0 = Date.now();
    process.kill(agent, 'SIGKILL');
    let state = '';
    while (state !== 'ERROR' && Date.now() - t0 < scaled(5000)) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await c.getEnvironment({ id })).environment?.state ?? '';
    }
    assert.equal(state, 'ERROR', `the environment in ERROR within ${scaled(5000)} ms of the agent's SIGKILL`);
    assert.ok(Date.now() - t0 < scaled(1500), `ERROR after ${Date.now() - t0} ms`);
    assert.match(core.context.manager.get(id).lastError, /flp007/);
    await waitUntil('the reaper to end the task of the lost agent', () => marked().length === 0, 5000, 100);
    await c.destroyEnvironment({ id, force: true });
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
