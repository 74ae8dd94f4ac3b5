/**
 * Hook tasks (AliECS `HookTask`): transitions only move a virtual state; TriggerHook runs the command and answers
 * when it ends (ok iff exit code 0), or kills it at the timeout.
 */
import type { TaskProcess } from '../task-process.ts';
import type { TransitionOp, TriggerHookOp } from '../types.ts';
import { errorMessage, exitCodeOf, exitReason, launchFor, within } from './task-driver.ts';
import type { DriverContext, HookOutcome, TaskDriver, TransitionOutcome } from './task-driver.ts';
import { virtualTransition } from './virtual-state.ts';

/** A hook past its timeout gets a short grace period, then SIGKILL. */
const TIMEOUT_KILL = { termWaitMs: 500, intWaitMs: 0 } as const;

export class HookDriver implements TaskDriver {
  private current = 'STANDBY';
  private process: TaskProcess | undefined;

  constructor(private readonly ctx: DriverContext) {}

  get state(): string {
    return this.current;
  }

  get pid(): number {
    return this.process?.running === true ? this.process.pid : 0;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  transition(op: TransitionOp): Promise<TransitionOutcome> {
    const outcome = virtualTransition(this.current, op.event);
    this.current = outcome.state;
    return Promise.resolve(outcome);
  }

  async triggerHook(op: TriggerHookOp): Promise<HookOutcome> {
    const timeoutMs = op.timeoutMs > 0 ? op.timeoutMs : this.ctx.launch.timeoutMs;
    let proc: TaskProcess;
    try {
      proc = await launchFor(this.ctx);
    } catch (error: unknown) {
      return { ok: false, exitCode: -1, output: '', error: `cannot start: ${errorMessage(error)}` };
    }
    this.process = proc;
    try {
      const exit = await within(proc.exited, timeoutMs);
      if (exit === undefined) {
        await proc.terminate(TIMEOUT_KILL);
        return { ok: false, exitCode: -1, output: proc.output(), error: `timed out after ${timeoutMs} ms` };
      }
      const ok = exit.code === 0;
      return {
        ok,
        exitCode: exitCodeOf(exit),
        output: proc.output(),
        ...(ok ? {} : { error: exitReason(exit) }),
      };
    } finally {
      this.process = undefined;
    }
  }

  async kill(): Promise<void> {
    await this.process?.terminate();
    this.current = 'DONE';
  }
}
