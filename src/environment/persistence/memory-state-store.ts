/** A StateStore in memory (tests, and cores that keep no state); same contract as the SQLite one. */
import type { StateStore, StoredEnvironment, StoredTask } from './state-store.ts';

export class MemoryStateStore implements StateStore {
  private readonly envs = new Map<string, StoredEnvironment>();
  private highWater = 0;

  loadEnvironments(): StoredEnvironment[] {
    return [...this.envs.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
  }

  saveEnvironment(env: StoredEnvironment): void {
    this.envs.set(env.id, copy(env));
  }

  saveTasks(environmentId: string, tasks: readonly StoredTask[]): void {
    const env = this.envs.get(environmentId);
    if (env === undefined) return;
    const byId = new Map(env.tasks.map((t) => [t.taskId, t]));
    for (const t of tasks) byId.set(t.taskId, copy(t));
    const merged = [...byId.values()].sort((a, b) => a.position - b.position);
    this.envs.set(environmentId, { ...env, tasks: merged });
  }

  removeEnvironment(id: string): void {
    this.envs.delete(id);
  }

  runNumberHighWater(): number {
    return this.highWater;
  }

  recordRunNumber(n: number): void {
    this.highWater = Math.max(this.highWater, n);
  }

  close(): void {
    // Nothing to release.
  }
}

function copy<T>(value: T): T {
  return structuredClone(value);
}
