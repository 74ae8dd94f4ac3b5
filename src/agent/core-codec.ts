/** Translation between the generated axle.agent.v1 messages and the agent's own types (the only place that knows both). */
import { create } from '@bufbuild/protobuf';
import { AgentMessageSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type {
  AgentMessage,
  BindRequest as WireBindRequest,
  Command,
  CommandSpec as WireCommandSpec,
  CoreMessage,
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
}

/** A core message as the agent understands it; `undefined` for an empty or unknown one. */
export type CoreInput =
  | { readonly kind: 'welcome'; readonly coreId: string; readonly heartbeatIntervalMs: number }
  | { readonly kind: 'command'; readonly command: AgentCommand }
  /** A TransitionBatch: its transitions as commands with ids `<batch id>.<index>`, answered together. */
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
  if (command.op.case === 'transitionBatch') {
    const commands = command.op.value.transitions.map((t, i) => ({
      id: `${command.id}.${i}`,
      op: decodeTransition(t),
    }));
    return { kind: 'batch', commands };
  }
  const op = decodeOp(command);
  if (op === undefined)
    return { kind: 'bad-command', commandId: command.id, error: 'command has no operation' };
  return { kind: 'command', command: { id: command.id, op } };
}

function decodeOp(command: Command): AgentOp | undefined {
  const op = command.op;
  switch (op.case) {
    case 'launch': {
      const l = op.value;
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
    case 'transition':
      return decodeTransition(op.value);
    case 'triggerHook':
      return { kind: 'triggerHook', taskId: op.value.taskId, timeoutMs: Number(op.value.timeoutMs) };
    case 'kill':
      return { kind: 'kill', taskId: op.value.taskId };
    case 'transitionBatch':
    case undefined:
      return undefined;
  }
}

function decodeTransition(t: WireTransition): AgentOp {
  return {
    kind: 'transition',
    taskId: t.taskId,
    event: t.event,
    srcState: t.srcState,
    arguments: { ...t.arguments },
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
        tasks: tasks.map((t) => ({ ...t, endpoints: { ...t.endpoints } })),
      },
    },
  });
}

export function encodeHeartbeat(timeMs: number): AgentMessage {
  return create(AgentMessageSchema, {
    kind: { case: 'heartbeat', value: { timeMs: BigInt(Math.trunc(timeMs)) } },
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
