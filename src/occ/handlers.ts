/**
 * What a task program supplies: one optional hook per transition. A hook that throws (or rejects) sends the task
 * to ERROR and the Transition reply says DEVICE_ERROR; the error is printed on stderr as the task's reason.
 */
import type { ArgTree } from './arg-tree.ts';

type Hook<A extends unknown[]> = ((...args: A) => Promise<void> | void) | undefined;
type Args = Readonly<Record<string, string>>;

/** Hooks of a direct-mode task (OCC library `RuntimeControlledObject`). */
export interface OccHandlers {
  /** STANDBY → CONFIGURED; `tree` is `args` split on dots with `__ptree__:` keys parsed. */
  readonly configure?: Hook<[args: Args, tree: ArgTree]>;
  /** CONFIGURED → RUNNING; `args.runNumber` carries the run number. */
  readonly start?: Hook<[args: Args]>;
  /** RUNNING → CONFIGURED. */
  readonly stop?: Hook<[args: Args]>;
  /** CONFIGURED → STANDBY (FairMQ: RESET DEVICE). */
  readonly reset?: Hook<[]>;
  /** → DONE (FairMQ: END → EXITING). The process exits shortly after. */
  readonly exit?: Hook<[]>;
  /** ERROR → STANDBY (direct mode only). */
  readonly recover?: Hook<[]>;
}

/**
 * Hooks of a FairMQ device. `configure` runs on COMPLETE INIT with the CONFIGURE arguments pushed during
 * INITIALIZING DEVICE (`tree` holds the SetProperty-converted values); the finer steps are optional.
 */
export interface FairMqHandlers extends OccHandlers {
  readonly bind?: Hook<[]>;
  readonly connect?: Hook<[]>;
  readonly initTask?: Hook<[]>;
  readonly resetTask?: Hook<[]>;
}

/** Runs a hook; resolves to the error message when it failed, undefined on success. */
export async function runHook<A extends unknown[]>(hook: Hook<A>, ...args: A): Promise<string | undefined> {
  if (hook === undefined) return undefined;
  try {
    await hook(...args);
    return undefined;
  } catch (err: unknown) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(`task hook failed: ${reason}\n`);
    return reason;
  }
}
