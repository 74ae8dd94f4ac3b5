/**
 * Teardown (AliECS §5.7): `leave_<state>` hooks, run-end times when RUNNING, release the tasks, DESTROY and
 * after_DESTROY hooks, cancel pending awaits, kill the tasks unless kept (tasks that already ended are always
 * cleaned up on their agents), state DONE. Never throws.
 */
import type { Environment } from './environment.ts';
import { hookRunner } from './hooks.ts';
import { runMoment } from './moments.ts';
import type { TransitionDeps } from './transitions.ts';

export interface TeardownOptions {
  readonly keepTasks: boolean;
}

export async function teardown(
  env: Environment,
  deps: TransitionDeps,
  opts: TeardownOptions,
): Promise<{ killed: string[]; kept: string[]; errors: string[] }> {
  const hooks = hookRunner(env, deps.controller, deps.callRunner);
  const step = { transition: 'DESTROY' };
  env.envEvent('workflow teardown started', 'STARTED', { ...step, step: 'before_DESTROY' });
  const errors: string[] = [];
  env.envEvent('workflow teardown ongoing', 'ONGOING', { ...step, step: `leave_${env.state}` });
  errors.push(...(await runMoment(hooks, env.pending, `leave_${env.state}`)));
  if (env.state === 'RUNNING') {
    env.userVars['run_end_time_ms'] ??= String(Date.now());
    env.userVars['run_end_completion_time_ms'] = String(Date.now());
    env.publish({
      kind: 'run',
      environmentId: env.id,
      runNumber: env.runNumber,
      state: env.state,
      transition: 'TEARDOWN',
      transitionStatus: 'DONE_OK',
    });
  }
  env.envEvent('releasing tasks', 'ONGOING', { ...step, step: 'DESTROY' });
  env.envEvent('running DESTROY hooks', 'ONGOING', { ...step, step: 'after_DESTROY' });
  errors.push(...(await runMoment(hooks, env.pending, 'DESTROY')));
  errors.push(...(await runMoment(hooks, env.pending, 'after_DESTROY')));
  env.pending.clear();
  const live = env.tasks.filter((t) => t.status === 'ACTIVE');
  // Tasks that ended by themselves (crash, lost host) are forgotten by the agents either way.
  const dead = env.tasks.filter((t) => t.status !== 'ACTIVE' && t.host !== '').map((t) => t.taskId);
  if (dead.length > 0) await deps.controller.kill(dead);
  const killed: string[] = [];
  const kept: string[] = [];
  if (opts.keepTasks) {
    for (const t of live) {
      t.locked = false;
      kept.push(t.taskId);
    }
  } else {
    await deps.controller.kill(live.map((t) => t.taskId));
    for (const t of live) {
      Object.assign(t, { state: 'DONE', status: 'INACTIVE' });
      killed.push(t.taskId);
      env.taskEvent(t);
    }
  }
  env.setState('DONE');
  env.roleEvents();
  const error = errors.join('; ');
  env.envEvent(
    errors.length === 0 ? 'environment teardown complete' : 'environment teardown finished with errors',
    errors.length === 0 ? 'DONE_OK' : 'DONE_ERROR',
    {
      ...step,
      step: 'after_DESTROY',
      error,
    },
  );
  return { killed, kept, errors };
}
