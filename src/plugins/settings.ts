/**
 * The core's integration settings under AliECS's names (aliecs.md §1.5): `integrationPlugins` and one endpoint key
 * per plugin, plus plugin tunables (`trgPollingInterval`, …). Values are strings as given; defaults are AliECS's.
 */
export interface PluginSettings {
  /** Ids of the enabled plugins, in the order given. */
  readonly integrationPlugins: readonly string[];
  /** Every other setting by its AliECS name (defaults applied). */
  readonly values: Readonly<Record<string, string>>;
}

/** AliECS's defaults (core/config.go setDefaults) for the settings plugins read. */
export const PLUGIN_SETTING_DEFAULTS: Readonly<Record<string, string>> = {
  bookkeepingBaseUri: 'http://127.0.0.1:4000',
  dcsServiceEndpoint: '//127.0.0.1:50051',
  ddSchedulerEndpoint: '//127.0.0.1:50052',
  odcEndpoint: '//127.0.0.1:50053',
  trgServiceEndpoint: '//127.0.0.1:50060',
  testPluginEndpoint: '',
  trgPollingInterval: '3s',
  trgPollingTimeout: '3s',
  odcPollingInterval: '3s',
};

/** The names of every setting plugins read (for flags, `ALIECS_<NAME>` and settings files). */
export const PLUGIN_SETTING_NAMES: readonly string[] = [
  'integrationPlugins',
  ...Object.keys(PLUGIN_SETTING_DEFAULTS),
];

export function pluginSettings(
  integrationPlugins: readonly string[],
  values: Readonly<Record<string, string>> = {},
): PluginSettings {
  return { integrationPlugins, values: { ...PLUGIN_SETTING_DEFAULTS, ...values } };
}

/**
 * `//host:port` (AliECS's IP form), `host:port`, or a URL `grpc://…`/`http://…` → the base URL of a gRPC endpoint.
 * Throws with the setting's name when the value is not one of these.
 */
export function grpcBaseUrl(setting: string, endpoint: string): string {
  const m =
    /^(?:(?:grpc|http|dns):)?\/\/([^/:]+):(\d+)\/?$/.exec(endpoint) ?? /^([^/:]+):(\d+)$/.exec(endpoint);
  const port = Number(m?.[2]);
  if (m === null || !(port > 0 && port < 65536))
    throw new Error(`${setting}: "${endpoint}" is not an endpoint (expected //host:port or host:port)`);
  return `http://${m[1] ?? ''}:${port}`;
}
