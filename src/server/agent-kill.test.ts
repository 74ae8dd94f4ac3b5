/** Kills go to an agent that lists "kill-batch" as one KillBatch per agent, to others as one Kill per task. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { AsyncQueue } from '../common/async-queue.ts';
import { HelloSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { CoreMessage } from '../gen/axle/agent/v1/agent_pb.ts';
import { AgentLink } from './agent-link.ts';
import { AgentRegistry, KILL_BATCH_FEATURE } from './agent-registry.ts';
import { answerCommands, fakeLaunches } from './testing/fake-agent.ts';

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

async function killOn(
  features: string[],
  count: number,
): Promise<{ sent: Recorder['sent']; left: string[] }> {
  const registry = new AgentRegistry({ lostAfterMs: 60_000 });
  const queue = new Recorder();
  const hello = create(HelloSchema, { host: 'flp001', agentId: 'a1', cpu: 1000, memoryMb: 1e6, features });
  const link = new AgentLink(hello, queue);
  assert.equal(registry.attach(link), undefined);
  const answering = answerCommands(registry, link, queue, () => ({ pid: 7 }));
  try {
    const launched = await registry.launch(fakeLaunches(count));
    assert.equal(launched.filter((r) => r.ok).length, count, 'every task launched');
    queue.sent.length = 0;
    await registry.kill(fakeLaunches(count).map((r) => r.taskId));
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
