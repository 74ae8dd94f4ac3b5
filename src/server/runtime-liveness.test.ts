/**
 * Agents judged fairly (issue 9, item 3), with a real core and real agent processes: the core's own stall is not
 * held against a healthy agent, and an agent whose connection drops and comes back re-attaches its tasks, so that a
 * later destroy kills them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { survivors } from '../agent/test-fixtures.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { LocalEngine } from '../engine/local-engine.ts';
import type { TaskUpdate } from '../environment/task-controller.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';
import { DroppableProxy, blockEventLoop, marked, sleeperRepo, until } from './testing/liveness-fixtures.ts';

const MARK = `axle-live-${process.pid}`;
const S = timeScale();

function client(core: RunningCore): Client<typeof Control> {
  return createClient(Control, createGrpcTransport({ baseUrl: core.url }));
}

async function runningEnvironment(c: Client<typeof Control>, tasks: number): Promise<string> {
  const env = await c.newEnvironment({ workflowTemplate: 'sleepers', vars: {} });
  const id = env.environment?.id ?? '';
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  await until(() => marked(MARK).length === tasks, 10_000, `${tasks} sleepers running`);
  return id;
}

test("the core's own 5 s stall is not held against its agent: the environment stays RUNNING", async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-live-'));
  sleeperRepo(join(root, 'repo'), 'flp007', 2, MARK);
  const log: string[] = [];
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: [{ host: 'flp007' }],
    agentLostAfterMs: 3_000 * S,
    log: (line) => log.push(line),
  });
  try {
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1, 15_000);
    const c = client(core);
    const id = await runningEnvironment(c, 2);
    const lost: TaskUpdate[] = [];
    core.context.registry.subscribe((u) => void (u.kind === 'LOST' && lost.push(u)));

    blockEventLoop(5_000 * S);
    await new Promise((r) => setTimeout(r, 2_000 * S));

    assert.deepEqual(lost, [], 'no task was declared lost');
    assert.equal(core.context.manager.get(id).state, 'RUNNING');
    assert.ok(
      core.context.registry.hosts().some((h) => h.host === 'flp007'),
      'the agent is still attached',
    );
    assert.deepEqual(
      log.filter((l) => / lost /.test(l)),
      [],
    );
    const destroyed = await c.destroyEnvironment({ id, force: true });
    assert.equal(destroyed.cleanupTasksReply?.killedTasks.length, 2);
    await until(() => marked(MARK).length === 0, 5_000, 'the sleepers to end');
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('an agent whose connection drops and comes back re-attaches its tasks; destroy kills them all', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-live-'));
  sleeperRepo(join(root, 'repo'), 'flp008', 3, MARK);
  const core = await startCore({ stateDir: join(root, 'state'), port: 0 });
  const proxy = new DroppableProxy(core.port);
  let engine: LocalEngine | undefined;
  try {
    await proxy.listen();
    engine = await LocalEngine.start({
      coreUrl: `127.0.0.1:${proxy.port}`,
      agents: [{ host: 'flp008' }],
      stateDir: join(root, 'agent'),
    });
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, 1, 15_000);
    const c = client(core);
    const id = await runningEnvironment(c, 3);
    const pids = marked(MARK);

    proxy.drop();
    await until(
      () => core.context.manager.get(id).state === 'ERROR',
      5_000,
      'the dropped connection to put the environment in ERROR',
    );
    const tasksBack = async (): Promise<boolean> => {
      const tasks = (await c.getEnvironment({ id })).environment?.tasks ?? [];
      return (
        tasks.length === 3 &&
        tasks.every(
          (t) => t.state === 'RUNNING' && t.status === 'ACTIVE' && t.deploymentInfo?.hostname === 'flp008',
        )
      );
    };
    await until(
      tasksBack,
      10_000,
      'the returning agent to re-attach its 3 tasks (RUNNING, ACTIVE, on flp008)',
    );

    const destroyed = await c.destroyEnvironment({ id, force: true });
    assert.equal(destroyed.cleanupTasksReply?.killedTasks.length, 3);
    await until(() => survivors(pids).length === 0, 10_000, `task processes ${pids.join(', ')} to end`);
  } finally {
    await engine?.stop();
    await proxy.close();
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
