/**
 * Automatic run control (AliECS §5.5–§5.6): a critical task going to ERROR drives GO_ERROR with the task and host in
 * the reason; END_OF_STREAM from every task while RUNNING drives STOP_ACTIVITY; `auto_stop_timeout` stops a run after
 * its duration. Non-critical tasks may fail without failing the environment.
 */
import { parseDuration } from '../common/duration.ts';
import type { Environment } from './environment.ts';
import type { TaskUpdate } from './task-controller.ts';
import type { TaskRecord } from './task-record.ts';

export interface AutomationActions {
  goError(env: Environment, reason: string): void;
  stop(env: Environment, reason: string): void;
}

/** Applies an agent's report to the task and decides on automatic transitions; O(depth of the task's role). */
export function applyTaskUpdate(env: Environment, u: TaskUpdate, actions: AutomationActions): void {
  const t = env.task(u.taskId);
  if (t === undefined) return;
  if (u.kind === 'REATTACHED') {
    if (env.state === 'DONE') return;
    reattach(t, u);
  }
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
  env.taskRoleEvents(t);
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
  if (env.state === 'RUNNING' && ENDING_KINDS.has(u.kind)) checkEndOfStreamSoon(env, actions);
}

/** Updates that can make every active task safe to stop (one ended, or the last unfinished one went away). */
const ENDING_KINDS: ReadonlySet<TaskUpdate['kind']> = new Set([
  'END_OF_STREAM',
  'BASIC_TASK_TERMINATED',
  'EXITED',
  'LOST',
]);
const eosChecks = new WeakSet<Environment>();

/** Once per burst of updates (one microtask later): STOP_ACTIVITY when every active work task reached its end. */
function checkEndOfStreamSoon(env: Environment, actions: AutomationActions): void {
  if (eosChecks.has(env)) return;
  eosChecks.add(env);
  queueMicrotask(() => {
    eosChecks.delete(env);
    if (env.state === 'RUNNING' && maybeAllEnded(env) && allEnded(env))
      actions.stop(env, 'all tasks reached end of stream');
  });
}

/**
 * Per environment and run: every task before `at` had ended (or was no active work task) when last looked at.
 * Tasks only go from unfinished to ended during a run, so each check resumes there: O(tasks) per run in all,
 * not per update. A task that went back (reattached) is caught by the exact check `allEnded`, which resets.
 */
const eosCursors = new WeakMap<Environment, { run: number; at: number }>();

function maybeAllEnded(env: Environment): boolean {
  const c = eosCursors.get(env);
  const tasks = env.tasks;
  let i = c !== undefined && c.run === env.runNumber ? c.at : 0;
  while (i < tasks.length && !unfinished(tasks[i] as TaskRecord)) i++;
  eosCursors.set(env, { run: env.runNumber, at: i });
  return i === tasks.length;
}

function allEnded(env: Environment): boolean {
  const work = env.workTasks().filter((x) => x.status === 'ACTIVE');
  const ended = work.length > 0 && work.every((x) => x.safeToStop);
  if (!ended) eosCursors.delete(env);
  return ended;
}

function unfinished(t: TaskRecord): boolean {
  return t.desc.hook === undefined && t.status === 'ACTIVE' && !t.safeToStop;
}

/** A task an agent reports again after it was lost (the agent came back): where and how it runs. */
function reattach(t: TaskRecord, u: TaskUpdate): void {
  t.host = u.host ?? t.host;
  t.pid = u.pid ?? t.pid;
  t.endpoints = u.endpoints ?? t.endpoints;
  t.status = 'ACTIVE';
  t.error = u.reason ?? '';
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
