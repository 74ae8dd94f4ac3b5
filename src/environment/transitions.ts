/**
 * One environment transition E from S to D: moments `before_E`, `leave_S`, the task step `tasks_E`, `enter_D`,
 * `after_E`, each announced with AliECS's step events. A critical failure before the task step completes leaves the
 * state at S; one after it leaves the state at D; either way the outcome carries the reason.
 */
import { nextState } from '../common/environment-fsm.ts';
import type { EnvEvent } from '../common/environment-fsm.ts';
import type { Environment } from './environment.ts';
import { hookRunner } from './hooks.ts';
import type { CallRunner } from './hooks.ts';
import { runMoment } from './moments.ts';
import type { EnvironmentJournal } from './persistence/journal.ts';
import type { MomentOptions } from './moments.ts';
import { runBookkeeping } from './run-bookkeeping.ts';
import { taskStep } from './task-steps.ts';
import type { TaskController } from './task-controller.ts';

export interface TransitionDeps {
  readonly controller: TaskController;
  readonly callRunner: CallRunner;
  readonly newRunNumber: () => Promise<number>;
  /** Durable state: the environment is written when a transition starts (marked in progress) and when it ends. */
  readonly journal?: EnvironmentJournal;
}

export type TransitionOutcome =
  { readonly ok: true } | { readonly ok: false; readonly error: string; readonly stateChanged: boolean };

/** Runs the transition; never throws. The caller holds the environment's exclusive section. */
export async function runTransition(
  env: Environment,
  event: EnvEvent,
  deps: TransitionDeps,
): Promise<TransitionOutcome> {
  const from = env.state;
  const next = nextState(from, event);
  if (!next.ok) {
    env.envEvent('transition impossible', 'DONE_ERROR', { transition: event, error: next.reason });
    return { ok: false, error: next.reason, stateChanged: false };
  }
  env.currentTransition = event;
  deps.journal?.saved(env);
  env.envEvent('transition starting', 'STARTED', { transition: event });
  try {
    const hooks = hookRunner(env, deps.controller, deps.callRunner);
    const book = runBookkeeping(env, event, deps.newRunNumber);
    const step = async (name: string, f: () => Promise<string[]>): Promise<string[]> => {
      env.envEvent('transition step starting', 'ONGOING', { transition: event, step: name });
      const errors = await f();
      const error = errors.join('; ');
      env.envEvent('transition step finished', errors.length > 0 ? 'DONE_ERROR' : 'ONGOING', {
        transition: event,
        step: name,
        error,
      });
      return errors;
    };
    const moment = (name: string, opts?: MomentOptions): Promise<string[]> =>
      step(name, () => runMoment(hooks, env.pending, name, opts));
    const early = [
      () => moment(`before_${event}`, { between: book.beforeStart }),
      () => moment(`leave_${from}`),
      () => step(`tasks_${event}`, () => taskStep(env, event, deps.controller)),
    ];
    for (const run of early) {
      const errors = await run();
      if (errors.length > 0) return fail(env, event, errors, false);
    }
    env.setState(next.to);
    const late = [
      ...(await moment(`enter_${next.to}`)),
      ...(await book.afterTasks()),
      ...(await moment(`after_${event}`)),
    ];
    await book.done(late.length === 0);
    if (late.length > 0) return fail(env, event, late, true);
    env.envEvent('transition completed successfully', 'DONE_OK', { transition: event });
    return { ok: true };
  } finally {
    env.currentTransition = '';
    deps.journal?.saved(env);
    env.roleEvents();
  }
}

function fail(
  env: Environment,
  event: EnvEvent,
  errors: readonly string[],
  stateChanged: boolean,
): TransitionOutcome {
  const error = errors.join('; ');
  env.lastError = error;
  env.envEvent('transition error', 'DONE_ERROR', { transition: event, error });
  return { ok: false, error, stateChanged };
}
