/**
 * Run bookkeeping around START_ACTIVITY, STOP_ACTIVITY and GO_ERROR (AliECS §5.3): the run number is taken at
 * `before_START_ACTIVITY` after the negative-weight hooks, SOR/EOR timestamps are kept as runtime variables
 * (`run_start_time_ms`, `run_start_completion_time_ms`, `run_end_time_ms`, `run_end_completion_time_ms`), and the run
 * number is cleared after the run (`last_run_number` kept). Run events carry STARTED then DONE_OK/DONE_ERROR.
 */
import type { EnvEvent } from '../common/environment-fsm.ts';
import type { Environment } from './environment.ts';

export interface Bookkeeping {
  /** Runs between the negative and non-negative weights of `before_<event>`. */
  readonly beforeStart: () => Promise<void>;
  /** After the task step, before `after_<event>` hooks; returns errors. */
  readonly afterTasks: () => Promise<string[]>;
  /** At the very end; `ok` is the transition's outcome. */
  readonly done: (ok: boolean) => Promise<void>;
}

const now = (): string => String(Date.now());

export function runBookkeeping(
  env: Environment,
  event: EnvEvent,
  newRunNumber: () => Promise<number>,
): Bookkeeping {
  const runEvent = (status: 'STARTED' | 'DONE_OK' | 'DONE_ERROR', error?: string): void =>
    env.publish({
      kind: 'run',
      environmentId: env.id,
      runNumber: env.runNumber,
      state: env.state,
      transition: event,
      transitionStatus: status,
      ...(error !== undefined ? { error } : {}),
      ...(env.lastUser !== undefined ? { lastRequestUser: env.lastUser } : {}),
    });
  const ending = event === 'STOP_ACTIVITY' || (event === 'GO_ERROR' && env.runNumber !== 0);
  return {
    beforeStart: async () => {
      if (event === 'START_ACTIVITY') {
        env.runNumber = await newRunNumber();
        env.vars['run_number'] = env.vars['runNumber'] = String(env.runNumber);
        env.userVars['run_start_time_ms'] = now();
        for (const k of ['run_start_completion_time_ms', 'run_end_time_ms', 'run_end_completion_time_ms'])
          delete env.userVars[k];
        runEvent('STARTED');
      } else if (ending) {
        env.userVars['run_end_time_ms'] ??= now();
        runEvent('STARTED');
      }
    },
    afterTasks: () => {
      if (event === 'START_ACTIVITY') {
        env.startCount++;
        env.userVars['run_start_completion_time_ms'] = now();
      }
      if (ending) env.userVars['run_end_completion_time_ms'] = now();
      return Promise.resolve([]);
    },
    done: (ok) => {
      if (event === 'START_ACTIVITY') runEvent(ok ? 'DONE_OK' : 'DONE_ERROR');
      if (ending) {
        runEvent(ok ? 'DONE_OK' : 'DONE_ERROR');
        env.lastRunNumber = env.runNumber;
        env.vars['last_run_number'] = String(env.runNumber);
        env.runNumber = 0;
        delete env.vars['run_number'];
        delete env.vars['runNumber'];
      }
      return Promise.resolve();
    },
  };
}
