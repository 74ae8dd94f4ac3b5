/**
 * Basic tasks (AliECS `BasicTask`): a virtual STANDBY until START from CONFIGURED runs the command; STOP kills it;
 * when it ends by itself the core gets BASIC_TASK_TERMINATED with the exit code and the last output lines.
 */
import type { ExitInfo, TaskProcess } from '../task-process.ts';
import type { TransitionOp } from '../types.ts';
import { errorMessage, exitCodeOf, exitReason, launchFor } from './task-driver.ts';
import type { DriverContext, HookOutcome, TaskDriver, TransitionOutcome } from './task-driver.ts';
import { virtualTransition } from './virtual-state.ts';

/** Kill timings of a basic task on STOP: a short grace period, then SIGKILL. */
const STOP_KILL = { termWaitMs: 1000, intWaitMs: 0 } as const;

export class BasicDriver implements TaskDriver {
  private current = 'STANDBY';
  private process: TaskProcess | undefined;
  private stopping = false;

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

  async transition(op: TransitionOp): Promise<TransitionOutcome> {
    const outcome = virtualTransition(this.current, op.event);
    if (!outcome.ok) return outcome;
    if (op.event === 'START' && this.current === 'CONFIGURED') {
      try {
        await this.run();
      } catch (error: unknown) {
        return { ok: false, state: this.current, error: `cannot start: ${errorMessage(error)}` };
      }
    } else if (op.event === 'STOP' || op.event === 'RESET' || op.event === 'EXIT') {
      await this.stop();
    }
    this.current = outcome.state;
    return outcome;
  }

  triggerHook(): Promise<HookOutcome> {
    return Promise.resolve({ ok: false, exitCode: 0, output: '', error: 'not a hook task' });
  }

  async kill(): Promise<void> {
    await this.stop();
    this.current = 'DONE';
  }

  private async run(): Promise<void> {
    this.stopping = false;
    const proc = await launchFor(this.ctx);
    this.process = proc;
    void proc.exited.then((exit) => this.onExit(proc, exit));
  }

  private async stop(): Promise<void> {
    const proc = this.process;
    if (proc === undefined) return;
    this.stopping = true;
    await proc.terminate(STOP_KILL);
    this.process = undefined;
  }

  private onExit(proc: TaskProcess, exit: ExitInfo): void {
    if (this.stopping || this.process !== proc) return;
    this.process = undefined;
    const ok = exit.code === 0;
    this.current = ok ? 'DONE' : 'ERROR';
    this.ctx.emit({
      taskId: this.ctx.launch.taskId,
      state: this.current,
      pid: proc.pid,
      event: 'BASIC_TASK_TERMINATED',
      exitCode: exitCodeOf(exit),
      signal: exit.signal ?? '',
      output: proc.output(),
      reason: ok ? '' : exitReason(exit),
    });
  }
}
