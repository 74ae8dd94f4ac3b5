/**
 * Writes environments to the state store as they change: a whole environment when it is created and before and
 * after each transition (so the write is on disk before the transition's reply), task reports in small batches
 * (within `batchMs`, and always before the next whole write of their environment).
 */
import type { Environment } from '../environment.ts';
import { storedEnvironment, storedTask } from './snapshot.ts';
import type { StateStore } from './state-store.ts';

/** What the environment layer tells the journal; every method writes synchronously or schedules a write. */
export interface EnvironmentJournal {
  saved(env: Environment): void;
  taskChanged(env: Environment, taskId: string): void;
  removed(id: string): void;
}

export class StoreJournal implements EnvironmentJournal {
  private readonly dirty = new Map<Environment, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly onError: (message: string) => void = () => undefined,
    private readonly batchMs = 20,
  ) {}

  saved(env: Environment): void {
    this.dirty.delete(env);
    this.store.saveEnvironment(storedEnvironment(env));
  }

  taskChanged(env: Environment, taskId: string): void {
    const set = this.dirty.get(env) ?? new Set<string>();
    set.add(taskId);
    this.dirty.set(env, set);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.batchMs);
  }

  removed(id: string): void {
    for (const env of this.dirty.keys()) if (env.id === id) this.dirty.delete(env);
    this.store.removeEnvironment(id);
  }

  /** Writes every pending task change now; a failed write is reported through `onError`, not thrown. */
  flush(): void {
    const batch = [...this.dirty];
    this.dirty.clear();
    for (const [env, ids] of batch) {
      const tasks = env.tasks.flatMap((t, i) => (ids.has(t.taskId) ? [storedTask(t, i)] : []));
      try {
        this.store.saveTasks(env.id, tasks);
      } catch (e: unknown) {
        this.onError(
          `cannot write task state of environment ${env.id}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }

  /** Flushes and stops the batch timer (the store stays open). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
