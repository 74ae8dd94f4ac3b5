/**
 * The task step of each environment transition: DEPLOY launches every task (hook tasks too), CONFIGURE/START/STOP/
 * RESET/EXIT send the OCC event with its arguments to every deployed non-hook task, GO_ERROR stops running tasks and
 * ignores the outcome, RECOVER kills and relaunches. Only critical tasks' failures fail the step.
 */
import { parseDuration } from '../common/duration.ts';
import { TASK_EVENT_OF } from '../common/environment-fsm.ts';
import type { EnvEvent } from '../common/environment-fsm.ts';
import { sameHostGroups } from '../scheduler/placement-plan.ts';
import type { Environment } from './environment.ts';
import { configureArgs, startArgs, stopArgs } from './task-args.ts';
import type { ArgsResult } from './task-args.ts';
import type { TaskController, TransitionItem } from './task-controller.ts';
import type { TaskRecord } from './task-record.ts';

export async function taskStep(
  env: Environment,
  event: EnvEvent,
  controller: TaskController,
): Promise<string[]> {
  switch (event) {
    case 'DEPLOY':
      return deploy(env, controller, env.tasks);
    case 'RECOVER':
      await controller.kill(env.tasks.filter((t) => t.status === 'ACTIVE').map((t) => t.taskId));
      return deploy(env, controller, env.tasks);
    case 'GO_ERROR': {
      const running = env.workTasks().filter((t) => t.state === 'RUNNING');
      await transitionAll(env, controller, running, 'STOP', same(stopArgs((k) => env.variable(k), true)));
      return [];
    }
    case 'CONFIGURE': {
      const byPath = env.taskByPath();
      return transitionAll(env, controller, env.workTasks(), 'CONFIGURE', (t) => configureArgs(t, byPath));
    }
    case 'START_ACTIVITY':
      return transitionAll(
        env,
        controller,
        env.workTasks(),
        'START',
        same(startArgs(env.runNumber, env.startCount, (k) => env.variable(k))),
      );
    case 'STOP_ACTIVITY':
      return transitionAll(env, controller, env.workTasks(), 'STOP', same(stopArgs((k) => env.variable(k))));
    case 'RESET':
    case 'EXIT':
      return transitionAll(env, controller, env.workTasks(), TASK_EVENT_OF[event] ?? event, same({}));
  }
}

/** Timeout of task operations: `transition_timeout` (Go duration) or 90 s; CONFIGURE 120 s; DEPLOY `deploy_timeout`. */
export function timeoutFor(env: Environment, what: 'DEPLOY' | 'CONFIGURE' | 'other'): number {
  const fallback = what === 'CONFIGURE' ? 120_000 : 90_000;
  const text = env.variable(what === 'DEPLOY' ? 'deploy_timeout' : 'transition_timeout');
  return (text === undefined ? undefined : parseDuration(text)) ?? fallback;
}

async function deploy(
  env: Environment,
  controller: TaskController,
  tasks: readonly TaskRecord[],
): Promise<string[]> {
  const groups = sameHostGroups(tasks.map((t) => t.desc));
  const results = await controller.launch(
    tasks.map((t) => ({
      ...sameHost(groups, t.desc.path),
      taskId: t.taskId,
      environmentId: env.id,
      name: `${t.desc.taskTemplate}#${t.taskId}`,
      path: t.desc.path,
      control: t.desc.control,
      command: t.desc.command,
      binds: t.desc.bind.map((b) => ({
        channel: b.name,
        addressing: b.addressing,
        ...(b.target !== undefined ? { target: b.target } : {}),
      })),
      constraints: t.desc.constraints,
      wants: t.desc.wants,
      timeoutMs: timeoutFor(env, 'DEPLOY'),
    })),
  );
  const errors: string[] = [];
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  for (const r of results) {
    const t = byId.get(r.taskId);
    if (t === undefined) continue;
    if (r.ok)
      Object.assign(t, {
        host: r.host ?? '',
        pid: r.pid ?? 0,
        endpoints: r.endpoints ?? {},
        state: 'STANDBY',
        status: 'ACTIVE',
        error: '',
      });
    else
      Object.assign(t, {
        state: 'ERROR',
        status: r.undeployable === true ? 'UNDEPLOYABLE' : 'INACTIVE',
        error: r.error ?? 'launch failed',
      });
    env.taskEvent(t);
    if (!r.ok && t.desc.critical) errors.push(`${t.desc.path}: ${t.error}`);
  }
  return errors.length === 0
    ? []
    : [`workflow deployment failed (one or more roles undeployable): ${errors.join('; ')}`];
}

type ArgsFor = (t: TaskRecord) => ArgsResult;

/** The same arguments for every task, built once per transition: one shared, frozen object (never copied per task). */
function same(args: Record<string, string>): ArgsFor {
  const r: ArgsResult = { ok: true, args: Object.freeze(args) };
  return () => r;
}

/** Sends `event` to every active task in one batch; returns the critical failures. */
async function transitionAll(
  env: Environment,
  controller: TaskController,
  tasks: readonly TaskRecord[],
  event: string,
  argsFor: ArgsFor,
): Promise<string[]> {
  const timeoutMs = timeoutFor(env, event === 'CONFIGURE' ? 'CONFIGURE' : 'other');
  const errors: string[] = [];
  const sent: TaskRecord[] = [];
  const items: TransitionItem[] = [];
  for (const t of tasks.filter((x) => x.status === 'ACTIVE')) {
    const a = argsFor(t);
    if (!a.ok) {
      t.error = a.error;
      if (t.desc.critical) errors.push(a.error);
      continue;
    }
    sent.push(t);
    items.push({ taskId: t.taskId, event, srcState: t.state, args: a.args, timeoutMs });
  }
  const results = await controller.transitionMany(items);
  sent.forEach((t, i) => {
    const r = results[i] ?? { ok: false, state: 'ERROR', error: 'no result' };
    t.state = r.state;
    if (r.pid !== undefined) t.pid = r.pid;
    t.error = r.ok ? '' : (r.error ?? `${event} failed`);
    env.taskEvent(t);
    if (!r.ok && t.desc.critical)
      errors.push(`task ${t.desc.path} on ${t.host}: ${event} failed: ${t.error}`);
  });
  return errors;
}

function sameHost(groups: ReadonlyMap<string, string>, path: string): { sameHostAs?: string } {
  const g = groups.get(path);
  return g === undefined ? {} : { sameHostAs: g };
}
