/**
 * The environment manager: creates environments (plan, detector exclusivity, DEPLOY, CONFIGURE), runs the transitions
 * users ask for (a failed one drives GO_ERROR), destroys them, and reacts to task reports (automation.ts).
 */
import { isRequestableEvent, nextState } from '../common/environment-fsm.ts';
import type { EnvEvent } from '../common/environment-fsm.ts';
import { formatIssue } from '../common/issue.ts';
import { DEFAULT_PLAN_LIMITS, truncateText } from '../common/plan-limits.ts';
import { applyTaskUpdate, scheduleAutoStop } from './automation.ts';
import type { AutomationActions } from './automation.ts';
import { EnvError } from './env-error.ts';
import { Environment } from './environment.ts';
import type { EventBus, RequestUser } from './events.ts';
import type { EnvironmentPlan } from './planning.ts';
import type { TaskRecord } from './task-record.ts';
import { teardown } from './teardown.ts';
import { runTransition } from './transitions.ts';
import type { TransitionDeps, TransitionOutcome } from './transitions.ts';

export interface ManagerDeps extends TransitionDeps {
  readonly bus: EventBus;
  readonly newUid: () => string;
  /** Characters of a creation error kept and returned (default DEFAULT_PLAN_LIMITS.maxErrorTextLength). */
  readonly maxErrorText?: number;
  /** Plans a workflow with user variables for a new environment id. */
  readonly plan: (
    workflow: string,
    vars: Readonly<Record<string, string>>,
    environmentId: string,
  ) => Promise<EnvironmentPlan>;
}

export interface CreateRequest {
  readonly workflow: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly user?: RequestUser;
  readonly autoTransition?: boolean;
  /** NewAutoEnvironment skips the detector check (AliECS). */
  readonly skipDetectorCheck?: boolean;
  /** Use this id (NewEnvironmentAsync returns it before creation ends). */
  readonly id?: string;
}

export interface DestroyOptions {
  readonly keepTasks?: boolean;
  readonly allowInRunningState?: boolean;
  readonly force?: boolean;
}

export class EnvironmentManager {
  private readonly envs = new Map<string, Environment>();
  private readonly taskOwner = new Map<string, Environment>();
  private readonly autoStops = new Map<string, () => void>();
  private readonly failures = new Map<string, EnvError>();
  private readonly actions: AutomationActions;

  private get maxErrorText(): number {
    return this.deps.maxErrorText ?? DEFAULT_PLAN_LIMITS.maxErrorTextLength;
  }

  constructor(private readonly deps: ManagerDeps) {
    this.actions = {
      goError: (env, reason) => void this.goError(env, reason),
      stop: (env, reason) => void this.autoControl(env, 'STOP_ACTIVITY', reason),
    };
    deps.controller.subscribe((u) => {
      const env = this.taskOwner.get(u.taskId);
      if (env === undefined) return;
      applyTaskUpdate(env, u, this.actions);
      this.deps.journal?.taskChanged(env, u.taskId);
    });
  }

  /** Takes over an environment restored from the state store (core restart): registered with its tasks. */
  adopt(env: Environment): void {
    this.envs.set(env.id, env);
    for (const t of env.tasks) this.taskOwner.set(t.taskId, env);
  }

  /** A new environment id (for creations that answer before they finish). */
  newId(): string {
    return this.deps.newUid();
  }

  /** Whether an environment with this id exists (or is being created). */
  has(id: string): boolean {
    return this.envs.has(id);
  }

  list(): Environment[] {
    return [...this.envs.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): Environment {
    const env = this.envs.get(id);
    const failed = this.failures.get(id);
    if (env === undefined && failed !== undefined)
      throw new EnvError(
        failed.code,
        `creation of environment ${id} failed: ${failed.message}`,
        failed.issues,
        id,
      );
    if (env === undefined) throw new EnvError('not_found', `environment ${id} not found`, [], id);
    return env;
  }

  /** Detectors used by live environments, sorted. */
  activeDetectors(): string[] {
    return [...new Set(this.list().flatMap((e) => (e.state === 'DONE' ? [] : e.detectors)))].sort();
  }

  /** Plans, checks detectors, deploys and configures; on failure the environment is torn down and the error thrown. */
  async create(req: CreateRequest): Promise<Environment> {
    const id = req.id ?? this.deps.newUid();
    try {
      return await this.createWithId(id, req);
    } catch (e: unknown) {
      // Only a bounded copy is kept: never the request or anything that refers to its values.
      const message = truncateText(e instanceof Error ? e.message : String(e), this.maxErrorText);
      const issues = e instanceof EnvError ? e.issues.slice(0, 100) : [];
      this.failures.set(id, new EnvError(e instanceof EnvError ? e.code : 'internal', message, issues, id));
      if (this.failures.size > 100) this.failures.delete(this.failures.keys().next().value ?? '');
      this.deps.bus.publish({
        kind: 'environment',
        environmentId: id,
        state: 'ERROR',
        runNumber: 0,
        message: 'cannot create new environment',
        error: message,
        transition: 'CREATE',
        transitionStatus: 'DONE_ERROR',
      });
      throw e;
    }
  }

  /** Why the creation of `id` failed, if it did (kept for the last 100 failures). */
  creationFailure(id: string): string | undefined {
    return this.failures.get(id)?.message;
  }

  private async createWithId(id: string, req: CreateRequest): Promise<Environment> {
    const p = await this.deps.plan(req.workflow, req.vars, id);
    if (!p.ok) {
      throw new EnvError(
        'invalid_argument',
        truncateText(
          `cannot load workflow ${req.workflow}:\n${p.issues.map(formatIssue).join('\n')}`,
          this.maxErrorText,
        ),
        p.issues.slice(0, 100),
        id,
      );
    }
    if (req.skipDetectorCheck !== true) this.checkDetectors(p.detectors);
    const env = new Environment({
      id,
      plan: p.plan,
      workflow: req.workflow,
      isPublic: p.plan.public,
      description: p.plan.description,
      rootVars: p.rootVars,
      detectors: p.detectors,
      bus: this.deps.bus,
      newTaskId: this.deps.newUid,
      ...(req.user !== undefined ? { user: req.user } : {}),
    });
    this.envs.set(id, env);
    for (const t of env.tasks) this.taskOwner.set(t.taskId, env);
    this.deps.journal?.saved(env);
    env.envEvent('workflow loaded', 'DONE_OK', {
      transition: 'CREATE',
      step: 'after_CREATE',
      vars: { ...env.defaults, ...env.vars, ...env.userVars },
    });
    for (const event of ['DEPLOY', 'CONFIGURE'] as const) {
      const r = await env.exclusive(() => runTransition(env, event, this.deps));
      if (!r.ok) {
        await this.failAndTeardown(env, r.error);
        throw new EnvError(
          'internal',
          `cannot create environment ${id}: ${event} failed: ${r.error}`,
          [],
          id,
        );
      }
    }
    env.envEvent('transition completed successfully', 'DONE_OK', { transition: 'CREATE' });
    env.envEvent('created new environment', 'DONE_OK', { transition: 'CREATE' });
    if (req.autoTransition === true) void this.runAuto(env);
    return env;
  }

  /**
   * Runs a user transition. An event the state does not allow → `failed_precondition` naming both (nothing runs);
   * a failure → GO_ERROR (state ERROR) and an `aborted` error with the reason.
   */
  async control(id: string, event: string, user?: RequestUser): Promise<Environment> {
    const env = this.get(id);
    if (!isRequestableEvent(event))
      throw new EnvError('invalid_argument', `event ${event} cannot be requested`, [], id);
    if (user !== undefined) env.lastUser = user;
    const r = await env.exclusive(async () => {
      const next = nextState(env.state, event);
      if (!next.ok) return { refused: next.reason };
      return this.transition(env, event);
    });
    if ('refused' in r) throw new EnvError('failed_precondition', r.refused, [], id);
    if (r.ok) return env;
    await this.goError(env, `${event} failed: ${r.error}`);
    throw new EnvError(
      'aborted',
      `transition ${event} failed, environment went to ERROR: ${r.error}`,
      [],
      id,
    );
  }

  /** Teardown with AliECS's rules (§5.7): RUNNING needs allowInRunningState or force; CONFIGURED resets first. */
  async destroy(id: string, opts: DestroyOptions = {}): Promise<{ killed: string[]; kept: string[] }> {
    const env = this.get(id);
    const force = opts.force === true;
    if (env.state === 'RUNNING' && !force && opts.allowInRunningState !== true) {
      throw new EnvError(
        'failed_precondition',
        `environment ${id} is RUNNING: stop it first, or destroy with allowInRunningState or force`,
        [],
        id,
      );
    }
    const r = await env.exclusive(async () => {
      if (!force && env.state === 'RUNNING') await this.stepOrError(env, 'STOP_ACTIVITY');
      if (!force && env.state === 'CONFIGURED') await this.stepOrError(env, 'RESET');
      this.cancelAutoStop(env.id);
      return teardown(env, this.deps, { keepTasks: opts.keepTasks === true });
    });
    this.forget(env, new Set(r.kept));
    if (!opts.keepTasks) await this.deps.controller.releaseEnvironment?.(id);
    return r;
  }

  /** Tasks kept running by a destroy with keepTasks ("unlocked" in AliECS), until cleaned up. */
  releasedTasks(): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const [taskId, env] of this.taskOwner) {
      if (this.envs.get(env.id) === env) continue;
      const t = env.task(taskId);
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /** Kills released tasks (CleanupTasks) and forgets them; ids of live environments' tasks are ignored. */
  async cleanupReleased(taskIds: readonly string[]): Promise<void> {
    const released = new Set(this.releasedTasks().map((t) => t.taskId));
    const ids = taskIds.filter((id) => released.has(id));
    await this.deps.controller.kill(ids);
    for (const id of ids) this.taskOwner.delete(id);
  }

  private checkDetectors(detectors: readonly string[]): void {
    for (const d of detectors) {
      const owner = this.list().find((e) => e.state !== 'DONE' && e.detectors.includes(d));
      if (owner !== undefined)
        throw new EnvError(
          'failed_precondition',
          `detector ${d} is already in use by environment ${owner.id}`,
        );
    }
  }

  private async transition(env: Environment, event: EnvEvent): Promise<TransitionOutcome> {
    const r = await runTransition(env, event, this.deps);
    if (r.ok && event === 'START_ACTIVITY') {
      this.cancelAutoStop(env.id);
      this.autoStops.set(env.id, scheduleAutoStop(env, this.actions));
    }
    if (event === 'STOP_ACTIVITY' || event === 'GO_ERROR') {
      this.cancelAutoStop(env.id);
      for (const t of env.tasks) t.safeToStop = false;
    }
    return r;
  }

  private cancelAutoStop(id: string): void {
    this.autoStops.get(id)?.();
    this.autoStops.delete(id);
  }

  /**
   * Drops everything the manager keys by this environment, so that nothing of it outlives its teardown; tasks in
   * `kept` (destroy with keepTasks) stay listed until CleanupTasks.
   */
  private forget(env: Environment, kept: ReadonlySet<string> = new Set()): void {
    this.cancelAutoStop(env.id);
    this.envs.delete(env.id);
    this.deps.journal?.removed(env.id);
    for (const t of env.tasks)
      if (!kept.has(t.taskId) && this.taskOwner.get(t.taskId) === env) this.taskOwner.delete(t.taskId);
  }

  private async stepOrError(env: Environment, event: EnvEvent): Promise<void> {
    const r = await this.transition(env, event);
    if (!r.ok) await this.goErrorLocked(env, `${event} failed during teardown: ${r.error}`);
  }

  private goError(env: Environment, reason: string): Promise<void> {
    return env.exclusive(() => this.goErrorLocked(env, reason));
  }

  private async goErrorLocked(env: Environment, reason: string): Promise<void> {
    if (env.state === 'ERROR' || env.state === 'DONE') return;
    env.lastError = reason;
    env.envEvent('a critical error occurred, GO_ERROR transition imminent', 'ONGOING', {
      transition: 'GO_ERROR',
      error: reason,
    });
    const r = await this.transition(env, 'GO_ERROR');
    if (!r.ok) env.setState('ERROR');
    if (this.envs.get(env.id) === env) this.deps.journal?.saved(env);
  }

  private async failAndTeardown(env: Environment, reason: string): Promise<void> {
    await this.goError(env, reason);
    await env.exclusive(() => teardown(env, this.deps, { keepTasks: false }));
    this.forget(env);
    await this.deps.controller.releaseEnvironment?.(env.id);
  }

  private async autoControl(env: Environment, event: EnvEvent, reason: string): Promise<void> {
    await env.exclusive(async () => {
      if (env.state !== 'RUNNING') return;
      env.envEvent(`automatic ${event}: ${reason}`, 'ONGOING', { transition: event });
      const r = await this.transition(env, event);
      if (!r.ok) await this.goErrorLocked(env, `${event} failed: ${r.error}`);
    });
  }

  /** autoTransition: START, wait for the run to end (back in CONFIGURED), RESET, teardown; on error GO_ERROR + teardown. */
  private async runAuto(env: Environment): Promise<void> {
    try {
      await this.control(env.id, 'START_ACTIVITY');
      while (env.state === 'RUNNING') await new Promise((r) => setTimeout(r, 100));
      if (env.state === 'CONFIGURED') await this.control(env.id, 'RESET');
    } catch {
      // The failure is in the environment's events; tear down below.
    }
    if (this.envs.has(env.id))
      await this.destroy(env.id, { force: env.state !== 'DEPLOYED' }).catch(() => undefined);
  }
}
