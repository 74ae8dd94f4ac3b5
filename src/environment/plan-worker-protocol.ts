/**
 * Messages between the core and a planning worker thread. Everything here is plain data (structured-cloned);
 * repository snapshots travel as their file lists and are exported by the main thread on request.
 */
import type { PlanLimits } from '../common/plan-limits.ts';
import type { PluginSettings } from '../plugins/settings.ts';
import type { ConfigBridgeEnd } from './config-bridge.ts';
import type { EnvironmentPlan } from './planning.ts';

/** One repository at one commit as files (the directly listed files of workflows/, tasks/ and jit/). */
export interface WireSnapshot {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string;
  readonly files: readonly (readonly [string, string])[];
}

/** The JIT service's settings (the worker builds its own service over the same cache directory). */
export interface WireJit {
  readonly cacheDir: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** One planning job, sent to a booted worker. */
export interface PlanJob {
  readonly workflow: string;
  readonly snapshot: WireSnapshot;
  readonly userVars: Readonly<Record<string, string>>;
  readonly envVars?: Readonly<Record<string, string>>;
  readonly environmentId?: string;
  readonly limits: PlanLimits;
  readonly jit?: WireJit;
  readonly config?: ConfigBridgeEnd;
  /** The core's plugin settings: the worker offers the enabled plugins' template objects. */
  readonly plugins?: PluginSettings;
}

/** workerData: set when the worker runs from TypeScript sources (the module registering tsx, and the entry). */
export interface PlanWorkerData {
  readonly boot?: { readonly tsx: string; readonly entry: string };
}

export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'snapshot'; readonly id: number; readonly repoId: string; readonly revision?: string }
  | { readonly kind: 'export'; readonly id: number; readonly key: string; readonly dir: string }
  | { readonly kind: 'done'; readonly result: EnvironmentPlan };

export type ToWorker =
  | { readonly kind: 'plan'; readonly job: PlanJob }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly snapshot?: WireSnapshot }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string };
