/**
 * Direct and FairMQ tasks (AliECS `ControllableTask`): start the process, poll GetState every 100 ms until STANDBY
 * (≤ 30 s), follow the EventStream, drive transitions over OCC, report an unexpected exit within a second, and
 * kill with the OCC walk-down followed by the signal sequence.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isTaskState, occStateOfFairMq } from '../../common/task-state.ts';
import type { OccClient } from '../../occ/client-types.ts';
import { OccError } from '../../occ/occ-error.ts';
import type { ExitInfo, TaskProcess } from '../task-process.ts';
import type { TransitionOp } from '../types.ts';
import type { OccConnector } from './occ-connector.ts';
import { errorMessage, exitCodeOf, exitReason, exitedUpdate, launchFor, within } from './task-driver.ts';
import type { DriverContext, HookOutcome, TaskDriver, TransitionOutcome } from './task-driver.ts';

/** Readiness: GetState poll period and the time a task gets to reach STANDBY. */
export const READY_POLL_MS = 100;
export const READY_TIMEOUT_MS = 30_000;
/** Each step of the kill walk-down. */
export const WALK_DOWN_STEP_MS = 5_000;

/** The walk-down event for each state (DONE ends it). */
const WALK_DOWN: Readonly<Record<string, string>> = {
  RUNNING: 'STOP',
  CONFIGURED: 'RESET',
  STANDBY: 'EXIT',
  ERROR: 'EXIT',
};

export class ControllableDriver implements TaskDriver {
  private current = 'STANDBY';
  private process: TaskProcess | undefined;
  private client: OccClient | undefined;
  private readonly events = new AbortController();
  private killing = false;

  constructor(
    private readonly ctx: DriverContext,
    private readonly occ: OccConnector,
  ) {}

  get state(): string {
    return this.current;
  }

  get pid(): number {
    return this.process?.running === true ? this.process.pid : 0;
  }

  async start(): Promise<void> {
    const port = this.ctx.controlPort;
    if (port === undefined) throw new Error('no control port reserved');
    const proc = await launchFor(this.ctx);
    this.process = proc;
    void proc.exited.then((exit) => this.onExit(proc, exit));
    this.client = this.occ.connect(port, proc.commandLine.transport);
    await this.waitStandby(this.client, proc);
    void this.followEvents(this.client);
  }

  async transition(op: TransitionOp): Promise<TransitionOutcome> {
    const client = this.client;
    if (client === undefined || this.process?.running !== true) {
      return { ok: false, state: this.current, error: 'task process is not running' };
    }
    const req = { srcState: op.srcState || this.current, event: op.event, arguments: op.arguments };
    try {
      const { state } = await this.occ.drive(client, this.ctx.mode, req, { timeoutMs: op.timeoutMs });
      this.current = state;
      return { ok: true, state };
    } catch (error: unknown) {
      if (error instanceof OccError) this.current = this.occState(error.state) ?? this.current;
      if (this.process.running !== true) this.current = 'ERROR';
      return {
        ok: false,
        state: this.current,
        error: error instanceof OccError ? error.reason : errorMessage(error),
      };
    }
  }

  triggerHook(): Promise<HookOutcome> {
    return Promise.resolve({ ok: false, exitCode: 0, output: '', error: 'not a hook task' });
  }

  async kill(): Promise<void> {
    this.killing = true;
    this.events.abort();
    const proc = this.process;
    if (proc?.running === true && this.client !== undefined) await this.walkDown(this.client, proc);
    await proc?.terminate();
    this.client?.close();
    this.current = 'DONE';
  }

  private async waitStandby(client: OccClient, proc: TaskProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!proc.running) {
        const exit = await proc.exited;
        throw new Error(`${exitReason(exit)} before reaching STANDBY\n${proc.output()}`.trimEnd());
      }
      const state = await this.pollState(client);
      if (state === 'STANDBY') return;
      if (state === 'DONE' || state === 'ERROR') throw new Error(`task reached ${state} instead of STANDBY`);
      if (state !== undefined) last = `state ${state}`;
      await sleep(READY_POLL_MS);
    }
    throw new Error(`task did not reach STANDBY within ${READY_TIMEOUT_MS / 1000} s (${last})`);
  }

  private async pollState(client: OccClient): Promise<string | undefined> {
    try {
      const { state } = await client.getState({ timeoutMs: 1000 });
      return this.occState(state) ?? state;
    } catch {
      return undefined; // not listening yet
    }
  }

  private async followEvents(client: OccClient): Promise<void> {
    try {
      for await (const event of client.events(this.events.signal)) {
        if (this.killing) return;
        if (event === 'END_OF_STREAM') this.emitEvent('END_OF_STREAM', '');
        else if (event === 'TASK_INTERNAL_ERROR') {
          this.current = 'ERROR';
          this.emitEvent('TASK_INTERNAL_ERROR', 'task reported an internal error');
        }
      }
    } catch {
      // the stream ends with the process; the exit watcher reports that
    }
  }

  private emitEvent(event: 'END_OF_STREAM' | 'TASK_INTERNAL_ERROR', reason: string): void {
    const { taskId } = this.ctx.launch;
    const output = event === 'TASK_INTERNAL_ERROR' ? (this.process?.output() ?? '') : '';
    this.ctx.emit({
      taskId,
      state: this.current,
      pid: this.pid,
      event,
      exitCode: 0,
      signal: '',
      output,
      reason,
    });
  }

  private onExit(proc: TaskProcess, exit: ExitInfo): void {
    this.events.abort();
    if (this.killing || this.process !== proc) return;
    const { taskId } = this.ctx.launch;
    if (this.current === 'DONE') {
      const exitCode = exitCodeOf(exit);
      const signal = exit.signal ?? '';
      this.ctx.emit({
        taskId,
        state: 'DONE',
        pid: proc.pid,
        event: 'EXITED',
        exitCode,
        signal,
        output: '',
        reason: '',
      });
      return;
    }
    this.current = 'ERROR';
    this.ctx.emit(exitedUpdate(taskId, proc.pid, exit, proc.output()));
  }

  private async walkDown(client: OccClient, proc: TaskProcess): Promise<void> {
    let state = this.occState((await within(this.getState(client), WALK_DOWN_STEP_MS)) ?? '');
    while (state !== undefined && state !== 'DONE' && proc.running) {
      const event = WALK_DOWN[state];
      if (event === undefined) return;
      try {
        const req = { srcState: state, event, arguments: {} };
        state = (await this.occ.drive(client, this.ctx.mode, req, { timeoutMs: WALK_DOWN_STEP_MS })).state;
      } catch {
        return;
      }
    }
    if (state === 'DONE') await within(proc.exited, 1000);
  }

  private async getState(client: OccClient): Promise<string> {
    try {
      return (await client.getState({ timeoutMs: WALK_DOWN_STEP_MS })).state;
    } catch {
      return '';
    }
  }

  /** The OCC state of a wire state (FairMQ names mapped), undefined when it has no OCC meaning. */
  private occState(state: string): string | undefined {
    if (this.ctx.mode !== 'fairmq') return state === '' ? undefined : state;
    return occStateOfFairMq(state) ?? (isTaskState(state) ? state : undefined);
  }
}
