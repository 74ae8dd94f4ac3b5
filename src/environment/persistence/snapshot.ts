/**
 * Environments to stored records and back. A restored environment keeps its plan (never planned again), task ids,
 * variables and run bookkeeping; one whose transition was interrupted by the core's end goes to ERROR with the reason
 * `core restarted during <transition>`, its run (if one had begun) ended.
 */
import { ENV_STATES } from '../../common/environment-fsm.ts';
import type { EnvState } from '../../common/environment-fsm.ts';
import { Environment } from '../environment.ts';
import type { EventBus } from '../events.ts';
import type { TaskRecord } from '../task-record.ts';
import { StateStoreError } from './state-store.ts';
import type { StoredEnvironment, StoredTask } from './state-store.ts';

export function storedEnvironment(env: Environment): StoredEnvironment {
  const position = new Map(env.tasks.map((t, i) => [t.taskId, i]));
  return {
    id: env.id,
    workflow: env.workflow,
    isPublic: env.isPublic,
    description: env.description,
    detectors: [...env.detectors],
    createdAt: env.createdAt,
    plan: env.plan,
    state: env.state,
    transition: env.currentTransition,
    runNumber: env.runNumber,
    lastRunNumber: env.lastRunNumber,
    startCount: env.startCount,
    lastError: env.lastError,
    ...(env.lastUser !== undefined ? { lastUser: env.lastUser } : {}),
    defaults: { ...env.defaults },
    vars: { ...env.vars },
    userVars: { ...env.userVars },
    tasks: env.tasks.map((t) => storedTask(t, position.get(t.taskId) ?? 0)),
  };
}

export function storedTask(t: TaskRecord, position: number): StoredTask {
  return {
    taskId: t.taskId,
    position,
    host: t.host,
    pid: t.pid,
    endpoints: { ...t.endpoints },
    state: t.state,
    status: t.status,
    safeToStop: t.safeToStop,
    error: t.error,
    locked: t.locked,
  };
}

/** The environment as stored, with its tasks as last written; throws StateStoreError on an inconsistent record. */
export function restoreEnvironment(rec: StoredEnvironment, bus: EventBus): Environment {
  if (rec.tasks.length !== rec.plan.tasks.length)
    throw new StateStoreError(
      `environment ${rec.id}: ${rec.tasks.length} stored task(s) for ${rec.plan.tasks.length} planned`,
    );
  const ids = rec.tasks.map((t) => t.taskId);
  let next = 0;
  const env = new Environment({
    id: rec.id,
    plan: rec.plan,
    workflow: rec.workflow,
    isPublic: rec.isPublic,
    description: rec.description,
    rootVars: { defaults: { ...rec.defaults }, vars: { ...rec.vars }, userVars: { ...rec.userVars } },
    detectors: rec.detectors,
    bus,
    newTaskId: () => ids[next++] ?? '',
    createdAt: rec.createdAt,
    ...(rec.lastUser !== undefined ? { user: rec.lastUser } : {}),
  });
  env.state = envState(rec);
  env.runNumber = rec.runNumber;
  env.lastRunNumber = rec.lastRunNumber;
  env.startCount = rec.startCount;
  env.lastError = rec.lastError;
  rec.tasks.forEach((s, i) => {
    const t = env.tasks[i];
    if (t !== undefined)
      Object.assign(t, { host: s.host, pid: s.pid, endpoints: { ...s.endpoints } }, stateOf(s));
  });
  return env;
}

/**
 * An environment restored with a transition in progress goes to ERROR with the reason; returns the reason, or
 * undefined when no transition was in progress. A run that had begun is ended (its number kept as the last one).
 */
export function failInterrupted(env: Environment, transition: string): string | undefined {
  if (transition === '') return undefined;
  const reason = `core restarted during ${transition}`;
  env.setState('ERROR');
  env.lastError = reason;
  if (env.runNumber !== 0) {
    env.lastRunNumber = env.runNumber;
    env.vars['last_run_number'] = String(env.runNumber);
    env.runNumber = 0;
    delete env.vars['run_number'];
    delete env.vars['runNumber'];
  }
  return reason;
}

function stateOf(s: StoredTask): Pick<TaskRecord, 'state' | 'status' | 'safeToStop' | 'error' | 'locked'> {
  return { state: s.state, status: s.status, safeToStop: s.safeToStop, error: s.error, locked: s.locked };
}

function envState(rec: StoredEnvironment): EnvState {
  const state = ENV_STATES.find((s) => s === rec.state);
  if (state === undefined)
    throw new StateStoreError(`environment ${rec.id}: unknown stored state ${rec.state}`);
  return state;
}
