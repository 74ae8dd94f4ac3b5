/**
 * TransitionBatch arguments: the one arguments object of a transition (START, STOP) goes once per batch to agents that
 * list "shared-arguments"; other agents, and items with arguments of their own (CONFIGURE), get them per transition.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { AsyncQueue } from '../common/async-queue.ts';
import type { TransitionItem } from '../environment/task-controller.ts';
import { HelloSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { CoreMessage, TransitionBatch } from '../gen/axle/agent/v1/agent_pb.ts';
import { AgentLink } from './agent-link.ts';
import { AgentRegistry, SHARED_ARGUMENTS_FEATURE } from './agent-registry.ts';
import { answerCommands, fakeLaunch } from './testing/fake-agent.ts';

/** Records every TransitionBatch sent to the agent. */
class Recorder extends AsyncQueue<CoreMessage> {
  readonly batches: TransitionBatch[] = [];

  override push(m: CoreMessage): void {
    if (m.kind.case === 'command' && m.kind.value.op.case === 'transitionBatch')
      this.batches.push(m.kind.value.op.value);
    super.push(m);
  }
}

async function sendTo(
  features: string[],
  args: (i: number) => Readonly<Record<string, string>>,
): Promise<TransitionBatch> {
  const registry = new AgentRegistry({ lostAfterMs: 60_000 });
  const queue = new Recorder();
  const hello = create(HelloSchema, { host: 'flp001', agentId: 'a1', cpu: 1000, memoryMb: 1e6, features });
  const link = new AgentLink(hello, queue);
  assert.equal(registry.attach(link), undefined);
  const answering = answerCommands(registry, link, queue, () => ({ state: 'RUNNING' }));
  try {
    const ids = ['t0', 't1', 't2'];
    await registry.launch(ids.map((id) => fakeLaunch(id)));
    const items: TransitionItem[] = ids.map((taskId, i) => ({
      taskId,
      event: 'START',
      srcState: 'CONFIGURED',
      args: args(i),
      timeoutMs: 10_000,
    }));
    const results = await registry.transitionMany(items);
    assert.deepEqual(
      results.map((r) => r.state),
      ['RUNNING', 'RUNNING', 'RUNNING'],
    );
    assert.equal(queue.batches.length, 1, 'one TransitionBatch for the agent');
    return queue.batches[0] as TransitionBatch;
  } finally {
    registry.stop();
    await answering;
  }
}

const START = Object.freeze({ runNumber: '12', cleanup: '0' });

test('an agent with shared-arguments gets the transition arguments once per batch', async () => {
  const b = await sendTo(['launch-batch', SHARED_ARGUMENTS_FEATURE], () => START);
  assert.deepEqual(b.sharedArguments, START);
  assert.deepEqual(
    b.transitions.map((t) => t.arguments),
    [{}, {}, {}],
  );
});

test('an agent without the feature, or items with arguments of their own, get them per transition', async () => {
  const old = await sendTo(['launch-batch'], () => START);
  assert.deepEqual(old.sharedArguments, {});
  assert.deepEqual(
    old.transitions.map((t) => t.arguments),
    [START, START, START],
  );
  const own = await sendTo(['launch-batch', SHARED_ARGUMENTS_FEATURE], (i) => ({ index: String(i) }));
  assert.deepEqual(own.sharedArguments, {});
  assert.deepEqual(
    own.transitions.map((t) => t.arguments),
    [{ index: '0' }, { index: '1' }, { index: '2' }],
  );
});
