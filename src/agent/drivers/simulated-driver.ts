/** Simulated tasks: the OCC direct-mode machine inside the agent, no process, so thousands fit in one agent. */
import { occNext } from '../../common/task-state.ts';
import type { TransitionOp } from '../types.ts';
import type { HookOutcome, TaskDriver, TransitionOutcome } from './task-driver.ts';

/**
 * Every allowed transition succeeds at once; a wrong source state or an event not allowed in the current state
 * fails like OCClib (state unchanged).
 */
export class SimulatedDriver implements TaskDriver {
  private current = 'STANDBY';

  get state(): string {
    return this.current;
  }

  get pid(): number {
    return 0;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  transition(op: TransitionOp): Promise<TransitionOutcome> {
    if (op.srcState !== '' && op.srcState !== this.current) {
      return Promise.resolve({
        ok: false,
        state: this.current,
        error: `transition not possible: state mismatch: source: ${op.srcState} current: ${this.current}`,
      });
    }
    const next = occNext(this.current, op.event);
    if (next === undefined) {
      return Promise.resolve({
        ok: false,
        state: this.current,
        error: `event ${op.event} not allowed in state ${this.current}`,
      });
    }
    this.current = next;
    return Promise.resolve({ ok: true, state: next });
  }

  triggerHook(): Promise<HookOutcome> {
    return Promise.resolve({ ok: true, exitCode: 0, output: '' });
  }

  kill(): Promise<void> {
    this.current = 'DONE';
    return Promise.resolve();
  }
}
