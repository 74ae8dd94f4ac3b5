/** What the core knows of one task of an environment. Mutable: updated by launches, transitions and agent reports. */
import type { TaskDescriptor } from '../common/plan.ts';

export type TaskStatus = 'INACTIVE' | 'ACTIVE' | 'PARTIAL' | 'UNDEPLOYABLE' | 'UNDEFINED';

export interface TaskRecord {
  readonly taskId: string;
  readonly desc: TaskDescriptor;
  readonly environmentId: string;
  host: string;
  pid: number;
  endpoints: Readonly<Record<string, string>>;
  state: string;
  status: TaskStatus;
  /** Set when the task said END_OF_STREAM (or a basic task ended) while running. */
  safeToStop: boolean;
  /** Last error reported for this task (exit, failed transition). */
  error: string;
  /** Released tasks stay in the roster until killed (AliECS "unlocked"). */
  locked: boolean;
}

export function newTaskRecord(desc: TaskDescriptor, taskId: string, environmentId: string): TaskRecord {
  return {
    taskId,
    desc,
    environmentId,
    host: '',
    pid: 0,
    endpoints: {},
    state: 'UNKNOWN',
    status: 'INACTIVE',
    safeToStop: false,
    error: '',
    locked: true,
  };
}

/** Hook tasks run at moments; the others follow the environment's transitions. */
export function isHook(t: TaskRecord): boolean {
  return t.desc.hook !== undefined;
}
