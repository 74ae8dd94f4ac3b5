/**
 * The environment aggregate: its plan, state, tasks, run bookkeeping and runtime variables. Transitions are
 * serialized by `exclusive` (one at a time; a second request waits). All state changes go through `setState`.
 */
import type { EnvState } from '../common/environment-fsm.ts';
import type { Plan } from '../common/plan.ts';
import type { CoreEvent, EventBus, OpStatus, RequestUser } from './events.ts';
import { PendingCalls } from './moments.ts';
import { RoleIndex } from './role-index.ts';
import type { RoleChange } from './role-index.ts';
import { isHook, newTaskRecord } from './task-record.ts';
import type { TaskRecord } from './task-record.ts';

export interface EnvironmentInit {
  readonly id: string;
  readonly plan: Plan;
  readonly workflow: string;
  readonly isPublic: boolean;
  readonly description: string;
  /** Root variables (defaults, vars, user vars of the root role) at creation. */
  readonly rootVars: {
    defaults: Record<string, string>;
    vars: Record<string, string>;
    userVars: Record<string, string>;
  };
  readonly detectors: readonly string[];
  readonly bus: EventBus;
  readonly newTaskId: () => string;
  readonly user?: RequestUser;
  /** Creation time (ms since the epoch); default now. Set when an environment is restored from the state store. */
  readonly createdAt?: number;
}

export class Environment {
  readonly id: string;
  readonly plan: Plan;
  readonly workflow: string;
  readonly isPublic: boolean;
  readonly description: string;
  readonly createdAt: number;
  readonly detectors: readonly string[];
  readonly tasks: TaskRecord[];
  readonly pending = new PendingCalls();
  readonly defaults: Record<string, string>;
  readonly vars: Record<string, string>;
  /** User vars plus runtime vars set by the core (run times, call return values). */
  readonly userVars: Record<string, string>;
  state: EnvState = 'STANDBY';
  currentTransition = '';
  runNumber = 0;
  lastRunNumber = 0;
  startCount = 0;
  lastError = '';
  lastUser: RequestUser | undefined;
  private readonly bus: EventBus;
  private readonly roles: RoleIndex;
  /** The role index has been computed (and published) once. */
  private rolesReady = false;
  private readonly byId: ReadonlyMap<string, TaskRecord>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(init: EnvironmentInit) {
    this.id = init.id;
    this.createdAt = init.createdAt ?? Date.now();
    this.plan = init.plan;
    this.workflow = init.workflow;
    this.isPublic = init.isPublic;
    this.description = init.description;
    this.detectors = init.detectors;
    this.bus = init.bus;
    this.defaults = { ...init.rootVars.defaults };
    this.vars = { ...init.rootVars.vars };
    this.userVars = { ...init.rootVars.userVars, environment_id: init.id };
    this.lastUser = init.user;
    this.tasks = init.plan.tasks.map((d) => newTaskRecord(d, init.newTaskId(), init.id));
    this.byId = new Map(this.tasks.map((t) => [t.taskId, t]));
    this.roles = new RoleIndex(init.plan.root);
  }

  /** The task with this id, if it is one of this environment's. */
  task(taskId: string): TaskRecord | undefined {
    return this.byId.get(taskId);
  }

  /** A variable as the root role sees it: user vars over vars over defaults. */
  variable(name: string): string | undefined {
    return this.userVars[name] ?? this.vars[name] ?? this.defaults[name];
  }

  workTasks(): TaskRecord[] {
    return this.tasks.filter((t) => !isHook(t));
  }

  hookTasks(): TaskRecord[] {
    return this.tasks.filter(isHook);
  }

  taskByPath(): Map<string, TaskRecord> {
    return new Map(this.tasks.map((t) => [t.desc.path, t]));
  }

  setState(state: EnvState): void {
    this.state = state;
    this.userVars['enter_state_time_ms'] = String(Date.now());
  }

  /** Runs `f` after every earlier exclusive operation of this environment has finished. */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  publish(event: CoreEvent): void {
    this.bus.publish(event);
  }

  /** An environment event with the current state and run number. */
  envEvent(
    message: string,
    status: OpStatus,
    extra: { transition?: string; step?: string; error?: string; vars?: Record<string, string> } = {},
  ): void {
    this.publish({
      kind: 'environment',
      environmentId: this.id,
      state: this.state,
      runNumber: this.runNumber,
      message,
      transitionStatus: status,
      ...(extra.transition !== undefined ? { transition: extra.transition } : {}),
      ...(extra.step !== undefined ? { transitionStep: extra.step } : {}),
      ...(extra.error !== undefined && extra.error !== '' ? { error: extra.error } : {}),
      ...(extra.vars !== undefined ? { vars: extra.vars } : {}),
      ...(this.lastUser !== undefined ? { lastRequestUser: this.lastUser } : {}),
    });
  }

  /** Publishes a role event for every role whose rolled-up state or status changed since the last call (O(tasks)). */
  roleEvents(): void {
    const byPath = this.taskByPath();
    const callsActive = !['STANDBY', 'DONE'].includes(this.state);
    this.rolesReady = true;
    this.publishRoles(
      this.roles.refresh((role) => {
        const t = byPath.get(role.path);
        return {
          state: t?.state ?? (callsActive ? 'RUNNING' : 'STANDBY'),
          status: t?.status ?? (callsActive ? 'ACTIVE' : 'INACTIVE'),
        };
      }),
    );
  }

  /** One task changed: role events for its role and the roles above it that changed (O(depth)). */
  taskRoleEvents(t: TaskRecord): void {
    if (!this.rolesReady) return this.roleEvents();
    this.publishRoles(this.roles.update(t.desc.path, { state: t.state, status: t.status }));
  }

  private publishRoles(changes: readonly RoleChange[]): void {
    for (const r of changes)
      this.publish({
        kind: 'role',
        name: r.name,
        status: r.status,
        state: r.state,
        rolePath: r.path,
        environmentId: this.id,
      });
  }

  taskEvent(t: TaskRecord): void {
    const h = t.desc.hook;
    this.publish({
      kind: 'task',
      name: `${t.desc.taskTemplate}#${t.taskId}`,
      taskId: t.taskId,
      state: t.state,
      status: t.status,
      hostname: t.host,
      className: t.desc.taskTemplate,
      environmentId: this.id,
      path: t.desc.path,
      ...(h !== undefined
        ? {
            traits: {
              trigger: `${h.trigger.name}`,
              await: `${h.await.name}`,
              timeout: `${h.timeoutMs}ms`,
              critical: t.desc.critical,
            },
          }
        : {}),
    });
  }
}
