/** Kills go to an agent that lists "kill-batch" as one KillBatch per agent, to others as one Kill per task. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { AsyncQueue } from '../common/async-queue.ts';
import type { LaunchRequest } from '../environment/task-controller.ts';
import { CommandResultSchema, HelloSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { CoreMessage } from '../gen/axle/agent/v1/agent_pb.ts';
import { AgentLink } from './agent-link.ts';
import { AgentRegistry, KILL_BATCH_FEATURE } from './agent-registry.ts';

/** An agent's outgoing queue that records every command's operation and item count. */
class Recorder extends AsyncQueue<CoreMessage> {
  readonly sent: { readonly op: string; readonly size: number }[] = [];

  override push(m: CoreMessage): void {
    if (m.kind.case === 'command') {
      const op = m.kind.value.op;
      const size =
        op.case === 'killBatch'
          ? op.value.kills.length
          : op.case === 'launchBatch'
            ? op.value.launches.length
            : 1;
      this.sent.push({ op: op.case ?? '', size });
    }
    super.push(m);
  }
}

function requests(count: number): LaunchRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    taskId: `t${i}`,
    environmentId: 'env1',
    name: `sim#t${i}`,
    path: `wf.t${i}`,
    control: 'direct',
    command: {
      value: '/bin/true',
      arguments: [],
      env: [],
      user: '',
      shell: false,
      stdout: 'none',
      stderr: 'none',
    },
    binds: [],
    constraints: [],
    wants: {},
    timeoutMs: 10_000,
  }));
}

/** Answers every command (single or batched) with success. */
async function answer(registry: AgentRegistry, link: AgentLink, queue: Recorder): Promise<void> {
  for await (const m of queue) {
    if (m.kind.case !== 'command') continue;
    const { id, op } = m.kind.value;
    const count =
      op.case === 'launchBatch'
        ? op.value.launches.length
        : op.case === 'killBatch'
          ? op.value.kills.length
          : 0;
    const ids = count === 0 ? [id] : Array.from({ length: count }, (_, i) => `${id}.${i}`);
    for (const commandId of ids)
      registry.result(link, create(CommandResultSchema, { commandId, ok: true, pid: 7 }));
  }
}

async function killOn(
  features: string[],
  count: number,
): Promise<{ sent: Recorder['sent']; left: string[] }> {
  const registry = new AgentRegistry({ lostAfterMs: 60_000 });
  const queue = new Recorder();
  const hello = create(HelloSchema, { host: 'flp001', agentId: 'a1', cpu: 1000, memoryMb: 1e6, features });
  const link = new AgentLink(hello, queue);
  assert.equal(registry.attach(link), undefined);
  const answering = answer(registry, link, queue);
  try {
    const launched = await registry.launch(requests(count));
    assert.equal(launched.filter((r) => r.ok).length, count, 'every task launched');
    queue.sent.length = 0;
    await registry.kill(requests(count).map((r) => r.taskId));
    return { sent: [...queue.sent], left: registry.deployedTasks() };
  } finally {
    registry.stop();
    await answering;
  }
}

test('an agent with kill-batch gets one KillBatch for all its tasks; the registry forgets them', async () => {
  const r = await killOn(['launch-batch', KILL_BATCH_FEATURE], 50);
  assert.deepEqual(r.sent, [{ op: 'killBatch', size: 50 }]);
  assert.deepEqual(r.left, []);
});

test('an agent without the feature gets one Kill per task; the registry forgets them', async () => {
  const r = await killOn(['launch-batch'], 50);
  assert.equal(r.sent.length, 50);
  assert.ok(r.sent.every((s) => s.op === 'kill' && s.size === 1));
  assert.deepEqual(r.left, []);
});
