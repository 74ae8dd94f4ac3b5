/** Everything the RPC handlers need, built once by startCore. */
import type { ConfigSource } from '../common/config-source.ts';
import type { EventBus } from '../environment/events.ts';
import type { EnvironmentManager } from '../environment/manager.ts';
import type { Integrations } from '../plugins/integrations.ts';
import type { RepoManager } from '../repos/repo-manager.ts';
import type { AgentRegistry } from './agent-registry.ts';

export interface CoreContext {
  readonly coreId: string;
  readonly version: string;
  readonly manager: EnvironmentManager;
  readonly registry: AgentRegistry;
  readonly repos: RepoManager;
  readonly config: ConfigSource | undefined;
  readonly bus: EventBus;
  /** The integration plugins (GetIntegratedServices, per-environment data). */
  readonly integrations: Integrations;
}
