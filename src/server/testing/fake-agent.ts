/** Test support for registry tests without agent processes: launch requests and an agent that answers every command. */
import { create } from '@bufbuild/protobuf';
import type { AsyncQueue } from '../../common/async-queue.ts';
import type { LaunchRequest } from '../../environment/task-controller.ts';
import { CommandResultSchema } from '../../gen/axle/agent/v1/agent_pb.ts';
import type { Command, CoreMessage } from '../../gen/axle/agent/v1/agent_pb.ts';
import type { AgentLink } from '../agent-link.ts';
import type { AgentRegistry } from '../agent-registry.ts';

/** A launch request for task `taskId` of environment env1 (`/bin/true`, direct control, unless overridden). */
export function fakeLaunch(taskId: string, over: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    taskId,
    environmentId: 'env1',
    name: `sim#${taskId}`,
    path: `wf.${taskId}`,
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
    ...over,
  };
}

/** Launch requests for tasks t0…t<count-1>. */
export function fakeLaunches(count: number, over: Partial<LaunchRequest> = {}): LaunchRequest[] {
  return Array.from({ length: count }, (_, i) => fakeLaunch(`t${i}`, over));
}

/** The result ids a command is answered with: its own id, or `<id>.<i>` for each item of a batch. */
function resultIds(c: Command): string[] {
  const op = c.op;
  const count =
    op.case === 'launchBatch'
      ? op.value.launches.length
      : op.case === 'killBatch'
        ? op.value.kills.length
        : op.case === 'transitionBatch'
          ? op.value.transitions.length
          : 0;
  return count === 0 ? [c.id] : Array.from({ length: count }, (_, i) => `${c.id}.${i}`);
}

/** Answers every command sent on `queue` (single or batched) with success and the fields `result` gives per item. */
export async function answerCommands(
  registry: AgentRegistry,
  link: AgentLink,
  queue: AsyncQueue<CoreMessage>,
  result: (index: number) => { readonly pid?: number; readonly state?: string } = () => ({}),
): Promise<void> {
  for await (const m of queue) {
    if (m.kind.case !== 'command') continue;
    resultIds(m.kind.value).forEach((commandId, i) =>
      registry.result(link, create(CommandResultSchema, { ok: true, ...result(i), commandId })),
    );
  }
}
