/**
 * The configuration service as the workflow engine sees it: synchronous reads over a source that is local or kept
 * cached. Implementations: an AliECS YAML file (src/config/file-source.ts); later the Apricot service and etcd.
 * Every method throws ConfigError with a message naming the key or host it could not resolve.
 */
export interface ConfigSource {
  /** Global defaults: `o2/runtime/aliecs/defaults/*` plus computed entries. */
  getDefaults(): Record<string, string>;
  /** Global vars: `o2/runtime/aliecs/vars/*`. */
  getVars(): Record<string, string>;
  /** Payload of `component/RUNTYPE/role/entry`, rendered with `varStack` when `process` is true. */
  getComponentConfiguration(
    path: string,
    process: boolean,
    varStack: Readonly<Record<string, string>>,
  ): string;
  /** Applies the ANY/any fallback and returns `component/RUNTYPE/role/entry` of the existing entry. */
  resolveComponentQuery(component: string, runType: string, role: string, entry: string): string;
  detectorForHost(host: string): string;
  /** Detectors of the inventory, sorted; TRG only with `getAll` (AliECS ListDetectors). Optional for stores without an inventory. */
  listDetectors?(getAll?: boolean): string[];
  /** Sorted unique detectors of the hosts; throws if any host is unknown. */
  detectorsForHosts(hosts: readonly string[]): string[];
  cruCardsForHost(host: string): string[];
  endpointsForCruCard(host: string, cardSerial: string): string[];
  getRuntimeEntry(component: string, key: string): string;
  setRuntimeEntry(component: string, key: string, value: string): void;
  /** Description of the source for messages, e.g. `file:///etc/axle/config.yaml`. */
  readonly uri: string;
}

/** Raised by a ConfigSource; `key` is the configuration key or host that failed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
  }
}
