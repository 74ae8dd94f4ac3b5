/**
 * The task step of each environment transition: DEPLOY launches every task (hook tasks too), CONFIGURE/START/STOP/
 * RESET/EXIT send the OCC event with its arguments to every deployed non-hook task, GO_ERROR stops running tasks and
 * ignores the outcome, RECOVER kills and relaunches. Only critical tasks' failures fail the step.
 */
import { parseDuration } from '../common/duration.ts';
import { TASK_EVENT_OF } from '../common/environment-fsm.ts';
import type { EnvEvent } from '../common/environment-fsm.ts';
import type { Environment } from './environment.ts';
import { configureArgs, startArgs, stopArgs } from './task-args.ts';
import type { ArgsResult } from './task-args.ts';
import type { TaskController } from './task-controller.ts';
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
      await transitionAll(env, controller, running, 'STOP', () => ok(stopArgs((k) => env.variable(k), true)));
      return [];
    }
    case 'CONFIGURE': {
      const byPath = env.taskByPath();
      return transitionAll(env, controller, env.workTasks(), 'CONFIGURE', (t) => configureArgs(t, byPath));
    }
    case 'START_ACTIVITY':
      return transitionAll(env, controller, env.workTasks(), 'START', () =>
        ok(startArgs(env.runNumber, env.startCount, (k) => env.variable(k))),
      );
    case 'STOP_ACTIVITY':
      return transitionAll(env, controller, env.workTasks(), 'STOP', () =>
        ok(stopArgs((k) => env.variable(k))),
      );
    case 'RESET':
    case 'EXIT':
      return transitionAll(env, controller, env.workTasks(), TASK_EVENT_OF[event] ?? event, () => ok({}));
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
  const results = await controller.launch(
    tasks.map((t) => ({
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
    else Object.assign(t, { state: 'ERROR', status: 'UNDEPLOYABLE', error: r.error ?? 'launch failed' });
    env.taskEvent(t);
    if (!r.ok && t.desc.critical) errors.push(`${t.desc.path}: ${t.error}`);
  }
  return errors.length === 0
    ? []
    : [`workflow deployment failed (one or more roles undeployable): ${errors.join('; ')}`];
}

type ArgsFor = (t: TaskRecord) => ArgsResult;

const ok = (args: Record<string, string>): ArgsResult => ({ ok: true, args });

async function transitionAll(
  env: Environment,
  controller: TaskController,
  tasks: readonly TaskRecord[],
  event: string,
  argsFor: ArgsFor,
): Promise<string[]> {
  const timeout = timeoutFor(env, event === 'CONFIGURE' ? 'CONFIGURE' : 'other');
  const active = tasks.filter((t) => t.status === 'ACTIVE');
  const outcomes = await Promise.all(
    active.map((t) => transitionOne(env, controller, t, event, argsFor, timeout)),
  );
  return outcomes.filter((e): e is string => e !== undefined);
}

async function transitionOne(
  env: Environment,
  controller: TaskController,
  t: TaskRecord,
  event: string,
  argsFor: ArgsFor,
  timeout: number,
): Promise<string | undefined> {
  const a = argsFor(t);
  if (!a.ok) {
    t.error = a.error;
    return t.desc.critical ? a.error : undefined;
  }
  const r = await controller.transition(t.taskId, event, t.state, a.args, timeout);
  t.state = r.state;
  t.error = r.ok ? '' : (r.error ?? `${event} failed`);
  env.taskEvent(t);
  if (r.ok || !t.desc.critical) return undefined;
  return `task ${t.desc.path} on ${t.host}: ${event} failed: ${t.error}`;
}
