/**
 * Agents never displaced, always replaced (issue 9, items 6 and 8), with a real core and real agent processes: a
 * second agent for a connected host is refused with a clear message on both sides and exits, leaving the first one's
 * environment RUNNING; the local engine restarts a killed agent and the core logs the loss and the arrival.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { survivors } from '../agent/test-fixtures.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { agentEntry } from '../engine/agent-entry.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import { marked, sleeperRepo, until } from './testing/liveness-fixtures.ts';

const MARK = `axle-ident-${process.pid}`;
const S = timeScale();

test('a second agent for a connected host is refused, says why and exits; the first keeps its environment', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-ident-'));
  sleeperRepo(join(root, 'repo'), 'flp007', 2, MARK);
  const log: string[] = [];
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: [{ host: 'flp007' }],
    log: (line) => log.push(line),
  });
  let newcomer: ChildProcess | undefined;
  try {
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1, 15_000);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
    const env = await c.newEnvironment({ workflowTemplate: 'sleepers', vars: {} });
    const id = env.environment?.id ?? '';
    await c.controlEnvironment({ id, type: Op.START_ACTIVITY });

    newcomer = spawn(
      process.execPath,
      [...agentEntry(false), '--core', core.url, '--host', 'flp007', '--state-dir', join(root, 'newcomer')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    newcomer.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => newcomer?.once('exit', (code) => resolve(code)));

    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => (timer = setTimeout(() => r('still running'), 15_000 * S))),
    ]);
    clearTimeout(timer);
    assert.equal(code, 3, `the duplicate agent exits with status 3 (stderr: ${stderr})`);
    assert.match(stderr, /refused by the core: an agent for host flp007 is already connected/);
    assert.ok(
      log.some((l) => /^\S+ agent flp007 refused: an agent for host flp007 is already connected/.test(l)),
      log.join('\n'),
    );
    await new Promise((r) => setTimeout(r, 1_000 * S));
    assert.equal(core.context.manager.get(id).state, 'RUNNING');
    assert.equal(marked(MARK).length, 2);
    const destroyed = await c.destroyEnvironment({ id, force: true });
    assert.equal(destroyed.cleanupTasksReply?.killedTasks.length, 2);
  } finally {
    if (newcomer !== undefined && newcomer.exitCode === null && newcomer.signalCode === null)
      newcomer.kill('SIGKILL');
    newcomer?.stderr?.destroy();
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
  assert.deepEqual(survivors([newcomer?.pid ?? 0]), []);
});

test('the local engine restarts a killed agent; the core logs the loss and the arrival with host and pid', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-ident-'));
  const log: string[] = [];
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: [{ host: 'flp009' }],
    log: (line) => log.push(line),
  });
  const pids: number[] = [];
  try {
    await waitForAgents(core, 1, 15_000);
    const [first] = core.engine?.pids() ?? [];
    assert.ok(first !== undefined);
    pids.push(first);
    process.kill(first, 'SIGKILL');

    let second = 0;
    await until(
      () => {
        second = core.engine?.pids()[0] ?? 0;
        const arrived = log.some((l) => /^\S+ agent flp009 connected/.test(l) && l.includes(`pid ${second}`));
        return second !== first && second !== 0 && arrived;
      },
      // A new agent process starts through tsx: seconds on a loaded machine (until() scales it).
      20_000,
      'a new agent process for flp009 to connect',
    );
    pids.push(second);
    assert.ok(core.context.registry.hosts().some((h) => h.host === 'flp009'));
    assert.ok(
      log.some(
        (l) => /^\S+ agent flp009 lost/.test(l) && l.includes(`pid ${first}`) && /disconnected/.test(l),
      ),
      log.join('\n'),
    );
    assert.ok(
      log.some((l) => l.includes(`agent process ${first} (flp009) ended (signal SIGKILL)`)),
      log.join('\n'),
    );
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
  assert.deepEqual(survivors(pids), []);
});
