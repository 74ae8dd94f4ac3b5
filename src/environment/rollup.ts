/**
 * Role state and status roll-up (AliECS §5.8): each role combines its children, skipping non-critical leaves;
 * states: equal → same, any ERROR → ERROR, otherwise MIXED; statuses: UNDEPLOYABLE dominates, all ACTIVE → ACTIVE,
 * all INACTIVE → INACTIVE, otherwise PARTIAL. Shared code reads `critical`, never the role kind.
 */
import type { PlanRole } from '../common/plan.ts';
import type { TaskRecord } from './task-record.ts';

export interface RoleView {
  readonly name: string;
  readonly path: string;
  readonly state: string;
  readonly status: string;
  readonly taskIds: readonly string[];
  readonly children: readonly RoleView[];
}

export function combineStates(states: readonly string[]): string {
  if (states.length === 0) return 'UNKNOWN';
  if (states.includes('ERROR')) return 'ERROR';
  return states.every((s) => s === states[0]) ? (states[0] ?? 'UNKNOWN') : 'MIXED';
}

export function combineStatuses(statuses: readonly string[]): string {
  if (statuses.length === 0) return 'UNDEFINED';
  if (statuses.includes('UNDEPLOYABLE')) return 'UNDEPLOYABLE';
  if (statuses.every((s) => s === 'ACTIVE')) return 'ACTIVE';
  if (statuses.every((s) => s === 'INACTIVE')) return 'INACTIVE';
  return 'PARTIAL';
}

/** The role tree with states, given task records by path; call roles count as ACTIVE while `callsActive`. */
export function rollUp(
  role: PlanRole,
  tasksByPath: ReadonlyMap<string, TaskRecord>,
  callsActive: boolean,
): RoleView {
  if (role.leaf !== undefined) {
    const t = tasksByPath.get(role.path);
    const state = t?.state ?? (callsActive ? 'RUNNING' : 'STANDBY');
    const status = t?.status ?? (callsActive ? 'ACTIVE' : 'INACTIVE');
    return {
      name: role.name,
      path: role.path,
      state,
      status,
      taskIds: t === undefined ? [] : [t.taskId],
      children: [],
    };
  }
  const children = role.children.map((c) => rollUp(c, tasksByPath, callsActive));
  const counted = children.filter(
    (_, i) => role.children[i]?.critical === true || role.children[i]?.leaf === undefined,
  );
  const basis = counted.length > 0 ? counted : children;
  return {
    name: role.name,
    path: role.path,
    state: combineStates(basis.map((c) => c.state)),
    status: combineStatuses(basis.map((c) => c.status)),
    taskIds: children.flatMap((c) => c.taskIds),
    children,
  };
}
