/**
 * Restart: every environment of the state store is rebuilt and handed to the manager. One that was in the middle of
 * a transition goes to ERROR (`core restarted during <transition>`, an event says so); the others keep their state,
 * run number and tasks, which their agents re-attach as they reconnect. Run numbers never go back: each one handed
 * out is above the stored high-water mark and written before it is used.
 */
import type { Environment } from '../environment.ts';
import type { EventBus } from '../events.ts';
import type { EnvironmentJournal } from './journal.ts';
import { failInterrupted, restoreEnvironment } from './snapshot.ts';
import type { StateStore } from './state-store.ts';

/** A task that ran when the core went away: its agent should report it again. */
export interface ExpectedTask {
  readonly taskId: string;
  readonly host: string;
  readonly environmentId: string;
}

export interface Restored {
  readonly environments: readonly Environment[];
  readonly expected: readonly ExpectedTask[];
}

export function restoreFromStore(
  store: StateStore,
  bus: EventBus,
  journal: EnvironmentJournal,
  adopt: (env: Environment) => void,
): Restored {
  const environments: Environment[] = [];
  const expected: ExpectedTask[] = [];
  for (const rec of store.loadEnvironments()) {
    const env = restoreEnvironment(rec, bus);
    const reason = failInterrupted(env, rec.transition);
    adopt(env);
    journal.saved(env);
    environments.push(env);
    if (reason !== undefined)
      env.envEvent('transition interrupted by a core restart', 'DONE_ERROR', {
        transition: rec.transition,
        error: reason,
      });
    else env.envEvent('environment restored after a core restart', 'DONE_OK', {});
    for (const t of env.tasks)
      if (t.host !== '' && t.status === 'ACTIVE')
        expected.push({ taskId: t.taskId, host: t.host, environmentId: env.id });
  }
  return { environments, expected };
}

/** Run numbers from `source`, never at or below the store's high-water mark, each recorded before it is returned. */
export function durableRunNumbers(source: () => Promise<number>, store: StateStore): () => Promise<number> {
  return async () => {
    const n = Math.max(await source(), store.runNumberHighWater() + 1);
    store.recordRunNumber(n);
    return n;
  };
}
