/**
 * Automatic run control (AliECS §5.5–§5.6): a critical task going to ERROR drives GO_ERROR with the task and host in
 * the reason; END_OF_STREAM from every task while RUNNING drives STOP_ACTIVITY; `auto_stop_timeout` stops a run after
 * its duration. Non-critical tasks may fail without failing the environment.
 */
import { parseDuration } from '../common/duration.ts';
import type { Environment } from './environment.ts';
import type { TaskUpdate } from './task-controller.ts';

export interface AutomationActions {
  goError(env: Environment, reason: string): void;
  stop(env: Environment, reason: string): void;
}

/** Applies an agent's report to the task and decides on automatic transitions. */
export function applyTaskUpdate(env: Environment, u: TaskUpdate, actions: AutomationActions): void {
  const t = env.tasks.find((x) => x.taskId === u.taskId);
  if (t === undefined) return;
  if (u.state !== undefined && u.state !== '') t.state = u.state;
  if (u.kind === 'EXITED' || u.kind === 'LOST') {
    t.state = 'ERROR';
    t.status = 'INACTIVE';
    t.error = u.reason ?? (u.kind === 'LOST' ? 'task lost' : `task exited with code ${u.exitCode ?? '?'}`);
  }
  if (u.kind === 'TASK_INTERNAL_ERROR') {
    t.state = 'ERROR';
    t.error = u.reason ?? 'task reported an internal error';
  }
  if (u.kind === 'END_OF_STREAM' || (u.kind === 'BASIC_TASK_TERMINATED' && t.desc.hook === undefined))
    t.safeToStop = true;
  env.taskEvent(t);
  env.roleEvents();
  const inRun = ['DEPLOYED', 'CONFIGURED', 'RUNNING'].includes(env.state);
  if (
    t.state === 'ERROR' &&
    t.desc.critical &&
    t.desc.hook === undefined &&
    inRun &&
    env.currentTransition === ''
  ) {
    actions.goError(
      env,
      `critical task '${t.desc.path}' on host '${t.host}' transitioned to ERROR: ${t.error}`,
    );
    return;
  }
  const work = env.workTasks().filter((x) => x.status === 'ACTIVE');
  if (env.state === 'RUNNING' && work.length > 0 && work.every((x) => x.safeToStop))
    actions.stop(env, 'all tasks reached end of stream');
}

/** Starts the auto-stop timer of a run, if `auto_stop_timeout` is a duration; returns a cancel function. */
export function scheduleAutoStop(env: Environment, actions: AutomationActions): () => void {
  const text = env.variable('auto_stop_timeout');
  const ms = text === undefined || text === 'none' ? undefined : parseDuration(text);
  if (ms === undefined || ms <= 0) return () => undefined;
  const timer = setTimeout(() => actions.stop(env, `auto stop after ${text}`), ms);
  timer.unref();
  return () => clearTimeout(timer);
}
