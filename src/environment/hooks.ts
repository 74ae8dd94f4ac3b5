/** Runs call roles (through the plugin layer's CallRunner) and hook tasks of one environment, with their events. */
import { formatHookMoment } from '../common/hook-moment.ts';
import type { CallDescriptor } from '../common/plan.ts';
import type { Environment } from './environment.ts';
import type { IntegratedServiceEvent } from './events.ts';
import type { HookOutcome, HookRunner } from './moments.ts';
import type { TaskController } from './task-controller.ts';
import type { TaskRecord } from './task-record.ts';

/** Result of a plugin call: ok with output, or an error (the `__call_error` of AliECS). */
export interface CallResult {
  readonly ok: boolean;
  readonly output: string;
  readonly error?: string;
  /** Global runtime variables the call sets (a string) or deletes (null), applied whether it succeeded or not. */
  readonly vars?: Readonly<Record<string, string | null>>;
}

/**
 * Executes a call role's `func` (e.g. `testplugin.Test()`) with the call's variables; `emit` publishes the
 * plugin's integrated-service events for this environment.
 */
export type CallRunner = (
  call: CallDescriptor,
  vars: Readonly<Record<string, string>>,
  emit: (e: IntegratedServiceEvent) => void,
) => Promise<CallResult>;

export function hookRunner(env: Environment, controller: TaskController, callRunner: CallRunner): HookRunner {
  return {
    calls: env.plan.calls,
    hookTasks: () => env.hookTasks(),
    runCall: (call) => runCall(env, callRunner, call),
    runHookTask: (task) => runHookTask(env, controller, task),
  };
}

function traits(call: CallDescriptor): {
  trigger: string;
  await: string;
  timeout: string;
  critical: boolean;
} {
  return {
    trigger: formatHookMoment(call.trigger),
    await: formatHookMoment(call.await),
    timeout: `${call.timeoutMs}ms`,
    critical: call.critical,
  };
}

async function runCall(env: Environment, runner: CallRunner, call: CallDescriptor): Promise<HookOutcome> {
  const base = {
    kind: 'call' as const,
    func: call.func,
    environmentId: env.id,
    path: call.path,
    traits: traits(call),
  };
  env.publish({ ...base, callStatus: 'STARTED' });
  const vars = {
    ...call.vars,
    ...runVars(env),
    ...env.userVars,
    environment_id: env.id,
    __call_func: call.func,
    __call_timeout: `${call.timeoutMs}ms`,
    __call_trigger: formatHookMoment(call.trigger),
    __call_await: formatHookMoment(call.await),
    __call_critical: String(call.critical),
    __call_rolepath: call.path,
  };
  let r: CallResult;
  try {
    r = await runner(call, vars, (e) => env.publish(e));
  } catch (e: unknown) {
    r = { ok: false, output: '', error: e instanceof Error ? e.message : String(e) };
  }
  for (const [name, value] of Object.entries(r.vars ?? {})) {
    if (value === null) delete env.userVars[name];
    else env.userVars[name] = value;
  }
  if (r.ok && call.returnVar !== undefined) env.userVars[call.returnVar] = r.output;
  env.publish({
    ...base,
    callStatus: r.ok ? 'DONE_OK' : 'DONE_ERROR',
    output: r.output,
    ...(call.returnVar !== undefined ? { return: call.returnVar } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  });
  return r.ok ? { ok: true } : { ok: false, error: r.error ?? 'call failed' };
}

/** The run variables the core sets at run time on the root (not in the call's planned variables). */
function runVars(env: Environment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['run_number', 'runNumber', 'last_run_number']) {
    const v = env.vars[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

async function runHookTask(
  env: Environment,
  controller: TaskController,
  task: TaskRecord,
): Promise<HookOutcome> {
  if (task.status !== 'ACTIVE') return { ok: false, error: `hook task ${task.desc.path} is not deployed` };
  const timeout = task.desc.hook?.timeoutMs ?? 30_000;
  const r = await controller.triggerHook(task.taskId, timeout);
  task.error = r.ok ? '' : (r.error ?? `exit code ${r.exitCode ?? '?'}`);
  env.taskEvent(task);
  return r.ok ? { ok: true } : { ok: false, error: task.error };
}
