/**
 * What the environment layer needs from whoever runs tasks (the core's agent registry, over the agent protocol).
 * Every method resolves with a result per task instead of throwing for task-level failures.
 */
import type { ControlMode, Constraint, PortRange, Resources, TaskCommand } from '../common/plan.ts';

export interface LaunchRequest {
  readonly taskId: string;
  readonly environmentId: string;
  readonly name: string;
  readonly path: string;
  readonly control: ControlMode;
  readonly command: TaskCommand;
  /** Channels the task binds: the agent allocates addresses (TCP port ≥ 9000, or an abstract IPC name). */
  readonly binds: readonly {
    readonly channel: string;
    readonly addressing: 'tcp' | 'ipc';
    readonly target?: string;
  }[];
  readonly constraints: readonly Constraint[];
  /** CPU, memory and static port ranges (`wants.ports`, held on the host while the task lives). */
  readonly wants: Resources & { readonly ports?: readonly PortRange[] };
  readonly timeoutMs: number;
  /** Tasks with the same key must share a host (peers over IPC or shared memory). */
  readonly sameHostAs?: string;
}

export interface LaunchResult {
  readonly taskId: string;
  readonly ok: boolean;
  readonly host?: string;
  readonly pid?: number;
  /** channel → address the task binds, with the host's address (`tcp://127.0.0.1:9003`, `ipc://@…`). */
  readonly endpoints?: Readonly<Record<string, string>>;
  readonly error?: string;
  /** The task fits on no host (constraints or resources); `error` explains per host. */
  readonly undeployable?: boolean;
}

export interface TransitionResult {
  readonly ok: boolean;
  readonly state: string;
  readonly error?: string;
  /** The task's process id after the transition when the agent says (0: no process, e.g. a stopped basic task). */
  readonly pid?: number;
}

export interface TransitionItem {
  readonly taskId: string;
  readonly event: string;
  readonly srcState: string;
  readonly args: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface HookResult {
  readonly ok: boolean;
  readonly exitCode?: number;
  readonly output?: string;
  readonly error?: string;
}

/** REATTACHED: a task that had been lost is reported again by its agent (which came back), with host and pid. */
export type TaskUpdateKind =
  | 'STATE'
  | 'END_OF_STREAM'
  | 'TASK_INTERNAL_ERROR'
  | 'BASIC_TASK_TERMINATED'
  | 'EXITED'
  | 'LOST'
  | 'REATTACHED';

export interface TaskUpdate {
  readonly taskId: string;
  readonly kind: TaskUpdateKind;
  readonly state?: string;
  readonly exitCode?: number;
  readonly output?: string;
  readonly reason?: string;
  /** REATTACHED: where the task runs. */
  readonly host?: string;
  readonly pid?: number;
  readonly endpoints?: Readonly<Record<string, string>>;
}

export interface HostInfo {
  readonly host: string;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface TaskController {
  launch(requests: readonly LaunchRequest[]): Promise<LaunchResult[]>;
  transition(
    taskId: string,
    event: string,
    srcState: string,
    args: Readonly<Record<string, string>>,
    timeoutMs: number,
  ): Promise<TransitionResult>;
  /** Many transitions at once (one environment step); results in the order of `items`. */
  transitionMany(items: readonly TransitionItem[]): Promise<TransitionResult[]>;
  triggerHook(taskId: string, timeoutMs: number): Promise<HookResult>;
  kill(taskIds: readonly string[]): Promise<void>;
  /** Frees what an environment held (reservations, cluster allocation); called once it is torn down. */
  releaseEnvironment?(environmentId: string): Promise<void> | void;
  subscribe(listener: (u: TaskUpdate) => void): () => void;
  hosts(): HostInfo[];
}
