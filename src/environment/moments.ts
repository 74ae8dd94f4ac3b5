/**
 * Hooks at one moment of a transition (AliECS §5.2). Weight by weight, ascending: (1) start the calls triggered here,
 * registering each under its await moment and weight; (2) await the calls due here; (3) run the hook tasks triggered
 * here, synchronously; (4) stop at the first weight with a critical failure. Returns the critical errors.
 */
import { formatHookMoment } from '../common/hook-moment.ts';
import type { CallDescriptor, HookMoment } from '../common/plan.ts';
import type { TaskRecord } from './task-record.ts';

export interface HookOutcome {
  readonly ok: boolean;
  readonly error?: string;
}

export interface HookRunner {
  readonly calls: readonly CallDescriptor[];
  readonly hookTasks: () => readonly TaskRecord[];
  runCall(call: CallDescriptor): Promise<HookOutcome>;
  runHookTask(task: TaskRecord): Promise<HookOutcome>;
}

interface PendingCall {
  readonly call: CallDescriptor;
  readonly outcome: Promise<HookOutcome>;
}

const keyOf = (m: HookMoment): string => `${m.name}|${m.weight}`;

/** Calls started but not yet awaited, by await moment; kept per environment across moments. */
export class PendingCalls {
  private readonly byAwait = new Map<string, PendingCall[]>();

  add(call: CallDescriptor, outcome: Promise<HookOutcome>): void {
    const key = keyOf(call.await);
    this.byAwait.set(key, [...(this.byAwait.get(key) ?? []), { call, outcome }]);
  }

  take(moment: HookMoment): PendingCall[] {
    const key = keyOf(moment);
    const out = this.byAwait.get(key) ?? [];
    this.byAwait.delete(key);
    return out;
  }

  /** Forgets every pending await (teardown). */
  clear(): void {
    this.byAwait.clear();
  }
}

export interface MomentOptions {
  /** Runs after the negative weights and before the others (run-number allocation at before_START_ACTIVITY). */
  readonly between?: () => Promise<void>;
}

export async function runMoment(
  runner: HookRunner,
  pending: PendingCalls,
  moment: string,
  opts: MomentOptions = {},
): Promise<string[]> {
  const tasks = runner.hookTasks().filter((t) => t.desc.hook?.trigger.name === moment);
  const weights = new Set<number>();
  for (const c of runner.calls) {
    if (c.trigger.name === moment) weights.add(c.trigger.weight);
    if (c.await.name === moment) weights.add(c.await.weight);
  }
  for (const t of tasks) weights.add(t.desc.hook?.trigger.weight ?? 0);
  let betweenDone = opts.between === undefined;
  for (const weight of [...weights].sort((a, b) => a - b)) {
    if (!betweenDone && weight >= 0) {
      betweenDone = true;
      await opts.between?.();
    }
    const errors = await runWeight(runner, pending, tasks, { name: moment, weight });
    if (errors.length > 0) return summarize(errors, { name: moment, weight });
  }
  if (!betweenDone) await opts.between?.();
  return [];
}

async function runWeight(
  runner: HookRunner,
  pending: PendingCalls,
  tasks: readonly TaskRecord[],
  at: HookMoment,
): Promise<string[]> {
  for (const call of runner.calls) {
    if (call.trigger.name === at.name && call.trigger.weight === at.weight)
      pending.add(call, runner.runCall(call));
  }
  const errors: string[] = [];
  for (const { call, outcome } of pending.take(at)) {
    const r = await outcome;
    if (!r.ok && call.critical)
      errors.push(`call ${call.func} (${call.path}) failed: ${r.error ?? 'unknown error'}`);
  }
  const due = tasks.filter((t) => t.desc.hook?.trigger.weight === at.weight);
  const results = await Promise.all(due.map(async (t) => ({ t, r: await runner.runHookTask(t) })));
  for (const { t, r } of results) {
    if (!r.ok && t.desc.critical)
      errors.push(
        `hook task ${t.desc.path} on ${t.host || 'an unknown host'} failed: ${r.error ?? 'unknown error'}`,
      );
  }
  return errors;
}

function summarize(errors: readonly string[], at: HookMoment): string[] {
  if (errors.length <= 3) return [...errors];
  return [`${errors.length} critical hooks failed at trigger ${formatHookMoment(at)}`];
}
