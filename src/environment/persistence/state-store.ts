/**
 * The core's durable state: environments (their plan as it was planned, state, variables, run bookkeeping, the
 * transition in progress) with their task records, and the run-number high-water mark. Writes are synchronous and
 * durable when they return, so a change is on disk before the core acknowledges it.
 */
import type { Plan } from '../../common/plan.ts';
import type { RequestUser } from '../events.ts';
import type { TaskStatus } from '../task-record.ts';

/** One task of a stored environment; `position` is its index in the plan's task list. */
export interface StoredTask {
  readonly taskId: string;
  readonly position: number;
  readonly host: string;
  readonly pid: number;
  readonly endpoints: Readonly<Record<string, string>>;
  readonly state: string;
  readonly status: TaskStatus;
  readonly safeToStop: boolean;
  readonly error: string;
  readonly locked: boolean;
}

export interface StoredEnvironment {
  readonly id: string;
  readonly workflow: string;
  readonly isPublic: boolean;
  readonly description: string;
  readonly detectors: readonly string[];
  readonly createdAt: number;
  readonly plan: Plan;
  readonly state: string;
  /** The transition running when this was written ('' when none): set before a transition starts. */
  readonly transition: string;
  readonly runNumber: number;
  readonly lastRunNumber: number;
  readonly startCount: number;
  readonly lastError: string;
  readonly lastUser?: RequestUser;
  readonly defaults: Readonly<Record<string, string>>;
  readonly vars: Readonly<Record<string, string>>;
  readonly userVars: Readonly<Record<string, string>>;
  readonly tasks: readonly StoredTask[];
}

export interface StateStore {
  /** Every stored environment with its tasks, oldest first. */
  loadEnvironments(): StoredEnvironment[];
  /** Writes the environment and all its tasks (replacing what was stored under its id). */
  saveEnvironment(env: StoredEnvironment): void;
  /** Writes some tasks of a stored environment (ignored when the environment is not stored). */
  saveTasks(environmentId: string, tasks: readonly StoredTask[]): void;
  removeEnvironment(id: string): void;
  /** The highest run number ever handed out (0 when none). */
  runNumberHighWater(): number;
  /** Raises the high-water mark to `n` (never lowers it). */
  recordRunNumber(n: number): void;
  close(): void;
}

/** A state store problem (cannot open, corrupt row), naming the file. */
export class StateStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateStoreError';
  }
}
