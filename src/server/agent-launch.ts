/**
 * Launches sent to one agent: LaunchBatch messages of at most LAUNCH_CHUNK launches to agents that list the
 * "launch-batch" feature, single Launch commands to the others; the core yields to its event loop between chunks,
 * so deploying thousands of tasks never holds the loop (and the agents' heartbeats) for long.
 */
import { create } from '@bufbuild/protobuf';
import type { LaunchRequest } from '../environment/task-controller.ts';
import { BindRequestSchema, CommandSpecSchema, LaunchSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { CommandResult, Launch } from '../gen/axle/agent/v1/agent_pb.ts';
import type { AgentLink } from './agent-link.ts';
import type { Placement } from './launch-placement.ts';

/** Launches per LaunchBatch (and per slice of single commands between two yields). */
export const LAUNCH_CHUNK = 100;
/** The Hello feature of agents that take LaunchBatch. */
export const LAUNCH_BATCH_FEATURE = 'launch-batch';

export interface PlacedLaunch {
  readonly request: LaunchRequest;
  readonly placement: Extract<Placement, { ok: true }>;
}

/** Sends every launch to `link`; one result (or Error) per launch, in order. */
export async function sendLaunches(
  link: AgentLink,
  launches: readonly PlacedLaunch[],
  marginMs: number,
): Promise<(CommandResult | Error)[]> {
  const batched = link.hello.features.includes(LAUNCH_BATCH_FEATURE);
  const pending: Promise<(CommandResult | Error)[]>[] = [];
  for (let i = 0; i < launches.length; i += LAUNCH_CHUNK) {
    if (i > 0) await yieldToLoop();
    const chunk = launches.slice(i, i + LAUNCH_CHUNK);
    const wire = chunk.map((l) => launchMessage(l.request, link.host, l.placement));
    const timeoutMs = Math.max(...chunk.map((l) => l.request.timeoutMs)) + marginMs;
    pending.push(
      batched
        ? link.sendBatch({ case: 'launchBatch', items: wire }, timeoutMs)
        : Promise.all(
            wire.map((value, k) =>
              link.send({ case: 'launch', value }, (chunk[k]?.request.timeoutMs ?? 0) + marginMs),
            ),
          ),
    );
  }
  return (await Promise.all(pending)).flat();
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** AliECS sets O2_ROLE=<host> and O2_SYSTEM=FLP unless the task's environment already does. */
function withO2Defaults(env: readonly string[], host: string): string[] {
  const has = (k: string): boolean => env.some((e) => e.startsWith(`${k}=`));
  return [
    ...env,
    ...(has('O2_ROLE') ? [] : [`O2_ROLE=${host}`]),
    ...(has('O2_SYSTEM') ? [] : ['O2_SYSTEM=FLP']),
  ];
}

function launchMessage(r: LaunchRequest, host: string, p: Extract<Placement, { ok: true }>): Launch {
  const c = r.command;
  return create(LaunchSchema, {
    taskId: r.taskId,
    environmentId: r.environmentId,
    name: r.name,
    path: r.path,
    controlMode: r.control,
    command: create(CommandSpecSchema, {
      value: c.value,
      arguments: [...c.arguments],
      env: withO2Defaults(c.env, host),
      user: c.user,
      shell: c.shell,
      stdout: c.stdout,
      stderr: c.stderr,
    }),
    binds: r.binds.map((b) =>
      create(BindRequestSchema, {
        channel: b.channel,
        addressing: b.addressing,
        target: b.target ?? '',
        port: p.channelPorts.get(b.channel) ?? 0,
      }),
    ),
    simulated: false,
    timeoutMs: BigInt(r.timeoutMs),
    controlPort: p.controlPort ?? 0,
  });
}
