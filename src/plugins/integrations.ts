/**
 * The core's integration plugins: the ones enabled by `integrationPlugins` (each created with its settings and
 * initialised at start), plus the built-in `testplugin`, which always answers calls. Gives the call runner, the
 * objects for templates, GetIntegratedServices' view and per-environment data.
 */
import type { CallRunner } from '../environment/hooks.ts';
import type { Value } from '../template/expr/value.ts';
import type { VarSource } from '../template/functions/index.ts';
import { createCallRunner } from './call-runner.ts';
import { CATALOGUE } from './catalogue.ts';
import type { CatalogueEntry } from './catalogue.ts';
import type { ConnectionState } from './connection.ts';
import type { IntegrationPlugin } from './plugin.ts';
import type { PluginSettings } from './settings.ts';
import { templateObjects } from './template-objects.ts';
import { testPlugin } from './test-plugin.ts';

/** One row of GetIntegratedServices. */
export interface ServiceInfo {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly endpoint: string;
  readonly connectionState: ConnectionState | '';
  /** Why the plugin cannot reach its endpoint, when it cannot. */
  readonly reason?: string;
  readonly data: string;
}

export class Integrations {
  readonly callRunner: CallRunner;

  /** The objects the enabled plugins offer to template expressions (template-objects.ts). */
  readonly objects: (vars: VarSource) => Readonly<Record<string, Value>>;

  private constructor(
    readonly plugins: readonly IntegrationPlugin[],
    private readonly catalogue: readonly CatalogueEntry[],
    settings: PluginSettings,
  ) {
    this.callRunner = createCallRunner([testPlugin, ...plugins]);
    this.objects = templateObjects(settings);
  }

  /**
   * Creates and initialises the enabled plugins. Throws, naming the setting, for an unknown or unavailable
   * plugin id, a missing endpoint or a malformed one; an unreachable endpoint is not an error (its state says so).
   */
  static async start(
    settings: PluginSettings,
    catalogue: readonly CatalogueEntry[] = CATALOGUE,
  ): Promise<Integrations> {
    const plugins = settings.integrationPlugins
      .filter((id) => id !== 'testplugin')
      .map((id) => create(settings, catalogue, id));
    await Promise.all(plugins.map((p) => p.init()));
    return new Integrations(plugins, catalogue, settings);
  }

  /** Every registered plugin; enabled ones with their endpoint, connection state and data. */
  services(): ServiceInfo[] {
    return this.catalogue.map((entry) => {
      if (entry.id === 'testplugin')
        return {
          id: entry.id,
          name: 'Test plugin',
          enabled: true,
          endpoint: '',
          connectionState: 'READY',
          data: '',
        };
      const p = this.plugins.find((x) => x.id === entry.id);
      if (p === undefined)
        return { id: entry.id, name: entry.id, enabled: false, endpoint: '', connectionState: '', data: '' };
      const c = p.connection();
      return {
        id: p.id,
        name: p.prettyName,
        enabled: true,
        endpoint: p.endpoint,
        connectionState: c.state,
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        data: p.data(),
      };
    });
  }

  /** Plugin id → JSON for one environment (`EnvironmentInfo.integratedServicesData`). */
  environmentData(environmentId: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.plugins) {
      const d = p.environmentData?.(environmentId);
      if (d !== undefined) out[p.id] = d;
    }
    return out;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.plugins.map((p) => p.destroy()));
  }
}

function create(
  settings: PluginSettings,
  catalogue: readonly CatalogueEntry[],
  id: string,
): IntegrationPlugin {
  const entry = catalogue.find((e) => e.id === id);
  if (entry === undefined)
    throw new Error(
      `integrationPlugins: unknown plugin "${id}" (known: ${catalogue.map((e) => e.id).join(', ')})`,
    );
  if (entry.create === undefined)
    throw new Error(`integrationPlugins: plugin "${id}" is not available in this version of Axle`);
  if ((settings.values[entry.endpointKey] ?? '') === '')
    throw new Error(`integrationPlugins: plugin "${id}" needs ${entry.endpointKey}, which is not set`);
  return entry.create(settings);
}
