import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { AsyncQueue } from '../common/async-queue.ts';
import type { LaunchRequest } from '../environment/task-controller.ts';
import { HelloSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { CoreMessage } from '../gen/axle/agent/v1/agent_pb.ts';
import { LAUNCH_CHUNK } from './agent-launch.ts';
import { AgentLink } from './agent-link.ts';
import { AgentRegistry } from './agent-registry.ts';
import { answerCommands, fakeLaunches } from './testing/fake-agent.ts';

/** A link's outgoing queue that notes, for each command, how many event-loop turns had passed when it was sent. */
class TurnRecorder extends AsyncQueue<CoreMessage> {
  turns = 0;
  readonly sent: { readonly op: string; readonly size: number; readonly turn: number }[] = [];
  private spinning = true;

  constructor() {
    super();
    const spin = (): void => {
      this.turns++;
      if (this.spinning) setImmediate(spin);
    };
    setImmediate(spin);
  }

  override push(m: CoreMessage): void {
    if (m.kind.case === 'command') {
      const op = m.kind.value.op;
      const size = op.case === 'launchBatch' ? op.value.launches.length : 1;
      this.sent.push({ op: op.case ?? '', size, turn: this.turns });
    }
    super.push(m);
  }

  override close(): void {
    this.spinning = false;
    super.close();
  }
}

/** Basic tasks running `sleep 60`. */
function requests(count: number): LaunchRequest[] {
  return fakeLaunches(count, {
    control: 'basic',
    command: {
      value: 'sleep',
      arguments: ['60'],
      env: [],
      user: '',
      shell: false,
      stdout: 'none',
      stderr: 'none',
    },
  }).map((r) => ({ ...r, name: `sleeper#${r.taskId}` }));
}

async function launchOn(features: string[], count: number): Promise<TurnRecorder> {
  const registry = new AgentRegistry({ lostAfterMs: 60_000 });
  const queue = new TurnRecorder();
  const hello = create(HelloSchema, { host: 'flp001', agentId: 'a1', cpu: 1000, memoryMb: 1e6, features });
  const link = new AgentLink(hello, queue);
  assert.equal(registry.attach(link), undefined);
  const answering = answerCommands(registry, link, queue, (i) => ({ pid: 1000 + i }));
  try {
    const results = await registry.launch(requests(count));
    assert.equal(results.filter((r) => r.ok && r.host === 'flp001' && (r.pid ?? 0) >= 1000).length, count);
  } finally {
    registry.stop();
    await answering;
  }
  return queue;
}

test('launches go to an agent with launch-batch in LaunchBatches of LAUNCH_CHUNK, the event loop running between', async () => {
  const q = await launchOn(['launch-batch'], 2 * LAUNCH_CHUNK + 50);
  assert.deepEqual(
    q.sent.map((s) => [s.op, s.size]),
    [
      ['launchBatch', LAUNCH_CHUNK],
      ['launchBatch', LAUNCH_CHUNK],
      ['launchBatch', 50],
    ],
  );
  const turns = q.sent.map((s) => s.turn);
  assert.ok(
    turns[0]! < turns[1]! && turns[1]! < turns[2]!,
    `event-loop turns at each send: ${turns.join(', ')}`,
  );
});

test('an agent without the feature gets single launches, still in slices with the event loop running between', async () => {
  const q = await launchOn([], 2 * LAUNCH_CHUNK + 50);
  assert.equal(q.sent.length, 2 * LAUNCH_CHUNK + 50);
  assert.ok(q.sent.every((s) => s.op === 'launch'));
  assert.equal(new Set(q.sent.map((s) => s.turn)).size, 3, 'three slices, each sent in its own turn');
});
