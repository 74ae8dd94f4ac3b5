/**
 * The contract every control mode implements (direct/fairmq, basic, hook, simulated): one driver per task, called
 * by the runtime one command at a time (kill excepted, which may overlap a pending command).
 */
import { constants } from 'node:os';
import { launchProcess } from '../task-process.ts';
import type { ExitInfo, TaskProcess } from '../task-process.ts';
import type { ControlMode, LaunchOp, TaskUpdate, TransitionOp, TriggerHookOp } from '../types.ts';

/** What a driver needs from the agent. */
export interface DriverContext {
  readonly launch: LaunchOp;
  readonly mode: ControlMode;
  /** `<stateDir>/logs`. */
  readonly logDir: string;
  /** Control port reserved for a direct/fairmq task. */
  readonly controlPort?: number;
  /** Reports a change the core did not ask for. */
  readonly emit: (update: TaskUpdate) => void;
  /** The agent's own log, for forwarded output lines. */
  readonly forward?: (line: string) => void;
  /** Base environment of task processes (default: the agent's). */
  readonly agentEnv?: Readonly<Record<string, string | undefined>>;
}

export interface TransitionOutcome {
  readonly ok: boolean;
  /** The state the task is in afterwards. */
  readonly state: string;
  readonly error?: string;
}

export interface HookOutcome {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly output: string;
  readonly error?: string;
}

export interface TaskDriver {
  readonly state: string;
  /** PID of the task's process (0: none running). */
  readonly pid: number;
  /** Brings the task to STANDBY (starting its process if the mode needs one). Throws with the reason on failure. */
  start(): Promise<void>;
  transition(op: TransitionOp): Promise<TransitionOutcome>;
  triggerHook(op: TriggerHookOp): Promise<HookOutcome>;
  /** Ends the task for good (walk-down, then signals); resolves when its processes are gone. */
  kill(): Promise<void>;
}

/** Human reason for a process end: `task exited with code N` or `killed by SIGKILL`. */
export function exitReason(exit: ExitInfo): string {
  return exit.signal === null ? `task exited with code ${exit.code ?? -1}` : `killed by ${exit.signal}`;
}

/** Exit code for the wire: the code, or 128 + signal number like a shell, or -1 when unknown. */
export function exitCodeOf(exit: ExitInfo): number {
  if (exit.code !== null) return exit.code;
  return exit.signal === null ? -1 : 128 + signalNumber(exit.signal);
}

/** The update for a process that ended when nobody asked it to. */
export function exitedUpdate(taskId: string, pid: number, exit: ExitInfo, output: string): TaskUpdate {
  return {
    taskId,
    state: 'ERROR',
    pid,
    event: 'EXITED',
    exitCode: exitCodeOf(exit),
    signal: exit.signal ?? '',
    output,
    reason: exitReason(exit),
  };
}

/** Starts the task's command with the context's settings. */
export function launchFor(ctx: DriverContext): Promise<TaskProcess> {
  return launchProcess({
    taskId: ctx.launch.taskId,
    environmentId: ctx.launch.environmentId,
    command: ctx.launch.command,
    mode: ctx.mode,
    logDir: ctx.logDir,
    ...(ctx.controlPort === undefined ? {} : { controlPort: ctx.controlPort }),
    ...(ctx.forward === undefined ? {} : { forward: ctx.forward }),
    ...(ctx.agentEnv === undefined ? {} : { agentEnv: ctx.agentEnv }),
  });
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bounded wait; resolves `undefined` on timeout. `timeoutMs` ≤ 0 waits forever. */
export async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  if (timeoutMs <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
