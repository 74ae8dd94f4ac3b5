/**
 * ConfigSource over an AliECS configuration file (Apricot's `file://` backend): the document's nested maps are the
 * key tree, e.g. `o2: {components: {readout: {ANY: {any: {entry: "..."}}}}, hardware: {...}, runtime: {...}}`.
 * @module
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError } from '../common/config-source.ts';
import type { ConfigSource } from '../common/config-source.ts';
import {
  componentKey,
  componentPathOrThrow,
  fallbackOrder,
  formatComponentPath,
  COMPONENTS_PREFIX,
} from './component-path.ts';
import {
  cruCardsForHost,
  detectorForHost,
  detectorsForHosts,
  endpointsForCruCard,
  listDetectors,
} from './inventory.ts';
import { lookupValue, readValue, stringChildren, writeValue } from './key-tree.ts';
import type { KeyTree } from './key-tree.ts';
import { PayloadRenderer } from './payload-renderer.ts';
import { readConfigFile } from './read-tree.ts';

const RUNTIME_PREFIX = 'o2/runtime';

export interface FileSourceOptions {
  /** Value of the computed default `core_hostname`; defaults to os.hostname(). */
  readonly hostname?: string;
  /** Generator behind `uid.New()` in payload templates. */
  readonly newUid?: () => string;
  /** Leave surrounding whitespace of defaults/vars values (AliECS `--trimSpaceInVarsFromConsulKV=false`). */
  readonly keepVarWhitespace?: boolean;
}

/**
 * A configuration file loaded once into memory. `setRuntimeEntry` changes only the in-memory tree (the file is
 * never rewritten), so runtime entries last as long as this object.
 */
export class FileConfigSource implements ConfigSource {
  readonly uri: string;
  private readonly renderer: PayloadRenderer;

  constructor(
    private readonly tree: KeyTree,
    uri: string,
    private readonly options: FileSourceOptions = {},
  ) {
    this.uri = uri;
    const lookup = (path: string): string | undefined => lookupValue(tree, `${COMPONENTS_PREFIX}/${path}`);
    this.renderer = new PayloadRenderer({ lookup, ...(options.newUid ? { newUid: options.newUid } : {}) });
  }

  /**
   * `o2/runtime/aliecs/defaults/*`, then the entries AliECS computes (they win): `consul_base_uri` (this source's
   * uri), `consul_hostname`, `consul_port`, `consul_endpoint` (all "" — a file has no host), `framework_id`
   * (runtime `aliecs/mesos_fid`, or "") and `core_hostname`.
   */
  getDefaults(): Record<string, string> {
    return {
      ...stringChildren(
        this.tree,
        `${RUNTIME_PREFIX}/aliecs/defaults`,
        this.options.keepVarWhitespace !== true,
      ),
      consul_base_uri: this.uri,
      consul_hostname: '',
      consul_port: '',
      consul_endpoint: '',
      framework_id: lookupValue(this.tree, `${RUNTIME_PREFIX}/aliecs/mesos_fid`) ?? '',
      core_hostname: this.options.hostname ?? hostname(),
    };
  }

  getVars(): Record<string, string> {
    return stringChildren(
      this.tree,
      `${RUNTIME_PREFIX}/aliecs/vars`,
      this.options.keepVarWhitespace !== true,
    );
  }

  getComponentConfiguration(
    path: string,
    process: boolean,
    varStack: Readonly<Record<string, string>>,
  ): string {
    const parsed = componentPathOrThrow(path);
    const raw = readValue(this.tree, componentKey(parsed), 'payload');
    return process ? this.renderer.render(formatComponentPath(parsed), varStack) : raw;
  }

  resolveComponentQuery(component: string, runType: string, role: string, entry: string): string {
    const query = componentPathOrThrow(`${component}/${runType}/${role}/${entry}`);
    const found = fallbackOrder(query).find((c) => lookupValue(this.tree, componentKey(c)) !== undefined);
    if (found === undefined) {
      throw new ConfigError(
        `could not resolve configuration path ${componentKey(query)}`,
        formatComponentPath(query),
      );
    }
    return formatComponentPath(found);
  }

  detectorForHost(host: string): string {
    return detectorForHost(this.tree, host);
  }

  listDetectors(getAll = false): string[] {
    return listDetectors(this.tree, getAll);
  }

  detectorsForHosts(hosts: readonly string[]): string[] {
    return detectorsForHosts(this.tree, hosts);
  }

  cruCardsForHost(host: string): string[] {
    return cruCardsForHost(this.tree, host);
  }

  endpointsForCruCard(host: string, cardSerial: string): string[] {
    return endpointsForCruCard(this.tree, host, cardSerial);
  }

  getRuntimeEntry(component: string, key: string): string {
    return readValue(this.tree, runtimeKey(component, key), 'runtime entry');
  }

  setRuntimeEntry(component: string, key: string, value: string): void {
    writeValue(this.tree, runtimeKey(component, key), value);
  }

  /** Drops compiled payload templates (Apricot's InvalidateComponentTemplateCache). */
  invalidateTemplateCache(): void {
    this.renderer.invalidate();
  }
}

function runtimeKey(component: string, key: string): string {
  if (component.trim() === '' || key.trim() === '') {
    throw new ConfigError(`bad runtime key "${component}/${key}": component and key are required`, key);
  }
  return `${RUNTIME_PREFIX}/${component}/${key}`;
}

/** Loads `path` (`.yaml`, `.yml` or `.json`) synchronously; throws ConfigError when it cannot. */
export function openFileSource(path: string, options: FileSourceOptions = {}): FileConfigSource {
  const absolute = resolve(path);
  return new FileConfigSource(readConfigFile(absolute), `file://${absolute}`, options);
}
