/**
 * The `config`, `inventory` and `runtime` namespaces, backed by a ConfigSource. Without a source every call is an
 * ExprError('evaluation_error', '<fn>: no configuration source'). When the source fails, the default ('throw') is
 * an evaluation error naming the function; 'inline' mimics AliECS, which returns `{"error":"…"}` as the value.
 */
import type { ConfigSource } from '../../common/config-source.ts';
import { toJson } from '../expr/render.ts';
import { DeferredSignal, ExprError } from '../expr/value.ts';
import type { ValueMap } from '../expr/value.ts';
import { textFunction } from './args.ts';
import { parseJsonValue } from './json.ts';
import type { VarSource } from './var-source.ts';

/** How a failing configuration lookup shows: an evaluation error, or AliECS-style error text as the result. */
export type ConfigErrorMode = 'throw' | 'inline';

export interface ConfigAccess {
  readonly source: ConfigSource | undefined;
  readonly errors: ConfigErrorMode;
}

const PATH = /^([A-Za-z0-9_-]+)\/([A-Z0-9_-]+)\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_/-]+)$/;

const objectError = (message: string): string => JSON.stringify({ error: message });
const listError = (message: string): string => JSON.stringify([`error: ${message}`]);

function call(
  access: ConfigAccess,
  name: string,
  f: (source: ConfigSource) => string,
  onError: (message: string) => string = objectError,
): string {
  const source = access.source;
  if (source === undefined) throw new ExprError('evaluation_error', `${name}: no configuration source`);
  if (access.errors === 'throw') return f(source);
  try {
    return f(source);
  } catch (e) {
    if (e instanceof DeferredSignal || e instanceof ExprError) throw e;
    return onError(e instanceof Error ? e.message : String(e));
  }
}

/** Splits `component/RUNTYPE/role/entry` (entry may contain '/'); throws on another shape. */
export function splitComponentPath(path: string): [string, string, string, string] {
  const m = PATH.exec(path.trim());
  if (m === null) throw new Error(`bad component configuration key format: ${JSON.stringify(path)}`);
  return [m[1]!, m[2]!, m[3]!, m[4]!];
}

function hostsFromJson(text: string): string[] {
  const hosts = parseJsonValue(text);
  if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string')) {
    throw new Error(`expected a JSON list of host names, got ${JSON.stringify(text)}`);
  }
  return hosts;
}

/** The `config` namespace; Get and GetLegacy use `vars`, GetLegacy renders the raw payload with `render`. */
export function configNamespace(
  access: ConfigAccess,
  vars: VarSource,
  render: (text: string) => string,
): ValueMap {
  return {
    Get: textFunction('config.Get', 1, (path) =>
      call(access, 'config.Get', (c) => c.getComponentConfiguration(path, true, vars.toRecord())),
    ),
    GetLegacy: textFunction('config.GetLegacy', 1, (path) =>
      call(access, 'config.GetLegacy', (c) =>
        render(c.getComponentConfiguration(path, false, vars.toRecord())),
      ),
    ),
    Resolve: textFunction('config.Resolve', 4, (component, runType, role, entry) =>
      call(access, 'config.Resolve', (c) => c.resolveComponentQuery(component, runType, role, entry)),
    ),
    ResolvePath: textFunction('config.ResolvePath', 1, (path) =>
      call(access, 'config.ResolvePath', (c) => c.resolveComponentQuery(...splitComponentPath(path))),
    ),
  };
}

/** The `inventory` namespace. */
export function inventoryNamespace(access: ConfigAccess): ValueMap {
  return {
    DetectorForHost: textFunction('inventory.DetectorForHost', 1, (host) =>
      call(access, 'inventory.DetectorForHost', (c) => c.detectorForHost(host)),
    ),
    DetectorsForHosts: textFunction('inventory.DetectorsForHosts', 1, (hosts) =>
      call(access, 'inventory.DetectorsForHosts', (c) => toJson(c.detectorsForHosts(hostsFromJson(hosts)))),
    ),
    CRUCardsForHost: textFunction('inventory.CRUCardsForHost', 1, (host) =>
      call(access, 'inventory.CRUCardsForHost', (c) => toJson(c.cruCardsForHost(host)), listError),
    ),
    EndpointsForCRUCard: textFunction('inventory.EndpointsForCRUCard', 2, (host, serial) =>
      call(access, 'inventory.EndpointsForCRUCard', (c) => c.endpointsForCruCard(host, serial).join(' ')),
    ),
  };
}

/** The `runtime` namespace (`o2/runtime/<component>/<key>`); Set returns the value it stored. */
export function runtimeNamespace(access: ConfigAccess): ValueMap {
  return {
    Get: textFunction('runtime.Get', 2, (component, key) =>
      call(access, 'runtime.Get', (c) => c.getRuntimeEntry(component, key)),
    ),
    Set: textFunction('runtime.Set', 3, (component, key, value) =>
      call(access, 'runtime.Set', (c) => (c.setRuntimeEntry(component, key, value), value)),
    ),
  };
}
