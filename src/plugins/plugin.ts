/**
 * The integration plugin contract (AliECS `core/integration`): a plugin answers calls `<id>.<Function>()` of call
 * roles, may offer objects to template expressions, and reports its endpoint, connection state and data.
 */
import type { CallDescriptor } from '../common/plan.ts';
import type { CallResult } from '../environment/hooks.ts';
import type { IntegratedServiceEvent } from '../environment/events.ts';
import type { ConnectionStatus } from './connection.ts';

export interface PluginCallContext {
  readonly call: CallDescriptor;
  /** The call's variables (`environment_id`, `run_number`, `__call_timeout`, …). */
  readonly vars: Readonly<Record<string, string>>;
  /** Aborted when the call's timeout expires. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Publishes an integrated-service event for the call's environment. */
  readonly emit: (e: IntegratedServiceEvent) => void;
}

export type PluginFunction = (ctx: PluginCallContext) => Promise<CallResult>;

/** What answers calls: the ids used in `func` and the functions. */
export interface Plugin {
  /** Ids the plugin answers to in `func` (e.g. `testplugin`, `test`). */
  readonly ids: readonly string[];
  readonly functions: Readonly<Record<string, PluginFunction>>;
}

/** A plugin enabled in the core's settings, with its lifecycle and what GetIntegratedServices reports. */
export interface IntegrationPlugin extends Plugin {
  /** The id in `integrationPlugins` (e.g. `trg`). */
  readonly id: string;
  /** Human name (GetIntegratedServices `name`), e.g. "Trigger System". */
  readonly prettyName: string;
  /** The endpoint as configured (empty when the plugin needs none). */
  readonly endpoint: string;
  connection(): ConnectionStatus;
  /** JSON for GetIntegratedServices `data` ("" when nothing is known). */
  data(): string;
  /** JSON per environment for `EnvironmentInfo.integratedServicesData`, when the plugin has some. */
  environmentData?(environmentId: string): string | undefined;
  /** Starts background work (status polling); never throws for an unreachable endpoint (the state says so). */
  init(): Promise<void>;
  destroy(): Promise<void>;
}
