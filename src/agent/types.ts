/**
 * The agent's own view of the core ↔ agent protocol (axle.agent.v1): plain readonly data, translated from and to the
 * generated protobuf messages only in core-codec.ts.
 */

/** How a task is driven (AliECS control modes that an agent can run). */
export type ControlMode = 'direct' | 'fairmq' | 'basic' | 'hook';

/** The process to run for a task (AliECS `common.TaskCommandInfo`). */
export interface CommandSpec {
  readonly value: string;
  readonly arguments: readonly string[];
  /** `KEY=VALUE` entries added to the agent's environment. */
  readonly env: readonly string[];
  /** Run as this user (only honoured when it differs from the agent's user). */
  readonly user: string;
  readonly shell: boolean;
  /** `none` (default), `stdout` or `all`: whether the agent also forwards the lines to its own log. */
  readonly stdout: string;
  readonly stderr: string;
}

/** A channel that the task binds; the agent picks the address unless `target` is given. */
export interface BindRequest {
  readonly channel: string;
  /** `tcp` or `ipc`. */
  readonly addressing: string;
  readonly target: string;
  /** TCP port assigned by the core (used exactly, unless a launch is retried because a port was taken); absent: the agent allocates one. */
  readonly port?: number;
}

export interface LaunchOp {
  readonly kind: 'launch';
  readonly taskId: string;
  readonly environmentId: string;
  readonly name: string;
  readonly path: string;
  readonly controlMode: string;
  readonly command: CommandSpec;
  readonly binds: readonly BindRequest[];
  readonly simulated: boolean;
  /** Basic/hook command timeout (0: none). */
  readonly timeoutMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Control port assigned by the core (used exactly, never replaced); absent: the agent allocates one. */
  readonly controlPort?: number;
}

export interface TransitionOp {
  readonly kind: 'transition';
  readonly taskId: string;
  /** OCC event: CONFIGURE, START, STOP, RESET, EXIT (or RECOVER). */
  readonly event: string;
  readonly srcState: string;
  readonly arguments: Readonly<Record<string, string>>;
  /** 0: the agent's default. */
  readonly timeoutMs: number;
}

export interface TriggerHookOp {
  readonly kind: 'triggerHook';
  readonly taskId: string;
  readonly timeoutMs: number;
}

export interface KillOp {
  readonly kind: 'kill';
  readonly taskId: string;
}

export type AgentOp = LaunchOp | TransitionOp | TriggerHookOp | KillOp;

/** One command from the core; answered by exactly one {@link CommandResult} with the same id. */
export interface AgentCommand {
  readonly id: string;
  readonly op: AgentOp;
}

export interface CommandResult {
  readonly commandId: string;
  readonly ok: boolean;
  readonly error: string;
  /** Task state after the command. */
  readonly state: string;
  readonly pid: number;
  /** Launch: channel name → address actually used (`tcp://127.0.0.1:9003`, `ipc://@…`). */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly exitCode: number;
  /** Last output lines (hooks and failures). */
  readonly output: string;
}

/** Device events and exits that the agent reports on its own. */
export type TaskEvent = 'END_OF_STREAM' | 'TASK_INTERNAL_ERROR' | 'BASIC_TASK_TERMINATED' | 'EXITED';

/** A change the core did not ask for. */
export interface TaskUpdate {
  readonly taskId: string;
  readonly state: string;
  readonly pid: number;
  readonly event: TaskEvent;
  readonly exitCode: number;
  /** Signal name (`SIGKILL`) when the process was killed by one, else empty. */
  readonly signal: string;
  readonly output: string;
  readonly reason: string;
}

/** A task the agent runs, as reported in Hello. */
export interface TaskReport {
  readonly taskId: string;
  readonly environmentId: string;
  readonly state: string;
  readonly pid: number;
  readonly endpoints: Readonly<Record<string, string>>;
}

/** Builds a result with empty defaults for the fields not given. */
export function result(commandId: string, fields: Partial<Omit<CommandResult, 'commandId'>>): CommandResult {
  return {
    commandId,
    ok: false,
    error: '',
    state: '',
    pid: 0,
    endpoints: {},
    exitCode: 0,
    output: '',
    ...fields,
  };
}

/** Reads a control mode; unknown strings count as `direct`, like AliECS. */
export function controlModeOf(text: string): ControlMode {
  const mode = text.toLowerCase();
  return mode === 'fairmq' || mode === 'basic' || mode === 'hook' ? mode : 'direct';
}
