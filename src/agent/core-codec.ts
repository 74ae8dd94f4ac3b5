/** Translation between the generated axle.agent.v1 messages and the agent's own types (the only place that knows both). */
import { create } from '@bufbuild/protobuf';
import { AgentMessageSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type {
  AgentMessage,
  BindRequest as WireBindRequest,
  Command,
  CommandSpec as WireCommandSpec,
  CoreMessage,
  Launch as WireLaunch,
  Transition as WireTransition,
} from '../gen/axle/agent/v1/agent_pb.ts';
import type {
  AgentCommand,
  AgentOp,
  BindRequest,
  CommandResult,
  CommandSpec,
  TaskReport,
  TaskUpdate,
} from './types.ts';

/** What the agent says about itself in Hello. */
export interface AgentIdentity {
  readonly host: string;
  readonly agentId: string;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly version: string;
  /** Environment id this agent serves alone (cluster engines); empty: every environment. */
  readonly scope: string;
  /** The agent's process id (the core logs it). */
  readonly pid: number;
}

/** Protocol features this agent understands (Hello.features): LaunchBatch, KillBatch, TransitionBatch.shared_arguments. */
export const AGENT_FEATURES: readonly string[] = ['launch-batch', 'kill-batch', 'shared-arguments'];

/** A core message as the agent understands it; `undefined` for an empty or unknown one. */
export type CoreInput =
  | { readonly kind: 'welcome'; readonly coreId: string; readonly heartbeatIntervalMs: number }
  | { readonly kind: 'command'; readonly command: AgentCommand }
  /** A TransitionBatch, LaunchBatch or KillBatch: its items as commands with ids `<batch id>.<index>`, answered together. */
  | { readonly kind: 'batch'; readonly commands: readonly AgentCommand[] }
  | { readonly kind: 'bad-command'; readonly commandId: string; readonly error: string };

export function decodeCoreMessage(message: CoreMessage): CoreInput | undefined {
  switch (message.kind.case) {
    case 'welcome':
      return {
        kind: 'welcome',
        coreId: message.kind.value.coreId,
        heartbeatIntervalMs: Number(message.kind.value.heartbeatIntervalMs),
      };
    case 'command':
      return decodeCommand(message.kind.value);
    case undefined:
      return undefined;
  }
}

function decodeCommand(command: Command): CoreInput {
  const op = command.op;
  if (op.case === 'transitionBatch' || op.case === 'launchBatch' || op.case === 'killBatch') {
    const ops =
      op.case === 'launchBatch'
        ? op.value.launches.map(decodeLaunch)
        : op.case === 'killBatch'
          ? op.value.kills.map((k): AgentOp => ({ kind: 'kill', taskId: k.taskId }))
          : op.value.transitions.map((t) => decodeTransition(t, op.value.sharedArguments));
    return { kind: 'batch', commands: ops.map((o, i) => ({ id: `${command.id}.${i}`, op: o })) };
  }
  const decoded = decodeOp(command);
  if (decoded === undefined)
    return { kind: 'bad-command', commandId: command.id, error: 'command has no operation' };
  return { kind: 'command', command: { id: command.id, op: decoded } };
}

function decodeOp(command: Command): AgentOp | undefined {
  const op = command.op;
  switch (op.case) {
    case 'launch':
      return decodeLaunch(op.value);
    case 'transition':
      return decodeTransition(op.value);
    case 'triggerHook':
      return { kind: 'triggerHook', taskId: op.value.taskId, timeoutMs: Number(op.value.timeoutMs) };
    case 'kill':
      return { kind: 'kill', taskId: op.value.taskId };
    case 'transitionBatch':
    case 'launchBatch':
    case 'killBatch':
    case undefined:
      return undefined;
  }
}

function decodeLaunch(l: WireLaunch): AgentOp {
  return {
    kind: 'launch',
    taskId: l.taskId,
    environmentId: l.environmentId,
    name: l.name,
    path: l.path,
    controlMode: l.controlMode,
    command: decodeSpec(l.command),
    binds: l.binds.map(decodeBind),
    simulated: l.simulated,
    timeoutMs: Number(l.timeoutMs),
    labels: { ...l.labels },
    ...(l.controlPort === 0 ? {} : { controlPort: l.controlPort }),
  };
}

function decodeTransition(t: WireTransition, shared: Readonly<Record<string, string>> = {}): AgentOp {
  return {
    kind: 'transition',
    taskId: t.taskId,
    event: t.event,
    srcState: t.srcState,
    arguments: { ...shared, ...t.arguments },
    timeoutMs: Number(t.timeoutMs),
  };
}

function decodeBind(b: WireBindRequest): BindRequest {
  const bind = { channel: b.channel, addressing: b.addressing, target: b.target };
  return b.port === 0 ? bind : { ...bind, port: b.port };
}

function decodeSpec(spec: WireCommandSpec | undefined): CommandSpec {
  return {
    value: spec?.value ?? '',
    arguments: [...(spec?.arguments ?? [])],
    env: [...(spec?.env ?? [])],
    user: spec?.user ?? '',
    shell: spec?.shell ?? false,
    stdout: spec?.stdout ?? '',
    stderr: spec?.stderr ?? '',
  };
}

export function encodeHello(identity: AgentIdentity, tasks: readonly TaskReport[]): AgentMessage {
  return create(AgentMessageSchema, {
    kind: {
      case: 'hello',
      value: {
        ...identity,
        attributes: { ...identity.attributes },
        features: [...AGENT_FEATURES],
        tasks: tasks.map((t) => ({ ...t, endpoints: { ...t.endpoints } })),
      },
    },
  });
}

/** A heartbeat with the agent's clock and its number in the stream (from 1). */
export function encodeHeartbeat(timeMs: number, sequence: number): AgentMessage {
  return create(AgentMessageSchema, {
    kind: { case: 'heartbeat', value: { timeMs: BigInt(Math.trunc(timeMs)), sequence: BigInt(sequence) } },
  });
}

export function encodeResult(res: CommandResult): AgentMessage {
  return create(AgentMessageSchema, {
    kind: { case: 'result', value: { ...res, endpoints: { ...res.endpoints } } },
  });
}

export function encodeUpdate(update: TaskUpdate): AgentMessage {
  return create(AgentMessageSchema, { kind: { case: 'update', value: { ...update } } });
}

export function encodeResults(results: readonly CommandResult[]): AgentMessage {
  return create(AgentMessageSchema, {
    kind: {
      case: 'results',
      value: { results: results.map((r) => ({ ...r, endpoints: { ...r.endpoints } })) },
    },
  });
}
