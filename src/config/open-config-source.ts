/**
 * Choosing a ConfigSource from a URI, and the empty source used when no configuration is given.
 * @module
 */
import { ConfigError } from '../common/config-source.ts';
import type { ConfigSource } from '../common/config-source.ts';
import { openFileSource } from './file-source.ts';
import type { FileSourceOptions } from './file-source.ts';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/**
 * Opens `uri`: `file:///abs/path.yaml` (or `.yml`/`.json`), `file://relative/path.yaml`, or a plain path.
 * Other schemes (`apricot://`, `etcd://`, `consul://`, ...) throw ConfigError "not supported yet: <scheme>".
 */
export function openConfigSource(uri: string, options: FileSourceOptions = {}): ConfigSource {
  const trimmed = uri.trim();
  if (trimmed === '') throw new ConfigError('empty configuration URI', uri);
  const scheme = SCHEME.exec(trimmed)?.[1];
  if (scheme === undefined) return openFileSource(trimmed, options);
  if (scheme.toLowerCase() !== 'file') throw new ConfigError(`not supported yet: ${scheme}`, uri);
  const path = trimmed.slice(scheme.length + 3);
  if (path === '') throw new ConfigError(`no path in configuration URI ${uri}`, uri);
  return openFileSource(path, options);
}

/** A source with no data: defaults and vars are empty, every lookup and runtime write throws ConfigError. */
export function emptyConfigSource(): ConfigSource {
  const missing = (what: string, key: string): never => {
    throw new ConfigError(`no configuration source: ${what} ${key} is not available`, key);
  };
  return {
    uri: 'empty:',
    getDefaults: () => ({}),
    getVars: () => ({}),
    getComponentConfiguration: (path) => missing('component configuration', path),
    resolveComponentQuery: (component, runType, role, entry) =>
      missing('component configuration', `${component}/${runType}/${role}/${entry}`),
    detectorForHost: (host) => missing('detector for host', host),
    detectorsForHosts: (hosts) => (hosts.length === 0 ? [] : missing('detector for host', hosts[0] ?? '')),
    cruCardsForHost: (host) => missing('cards of host', host),
    endpointsForCruCard: (host, serial) => missing('card', `${host}/${serial}`),
    getRuntimeEntry: (component, key) => missing('runtime entry', `${component}/${key}`),
    setRuntimeEntry: (component, key) => missing('runtime entry', `${component}/${key}`),
  };
}
