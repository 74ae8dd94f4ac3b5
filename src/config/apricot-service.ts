/**
 * The Apricot configuration service over a ConfigStore, transport-free: every operation of AliECS's
 * `apricot.Apricot` API with plain TypeScript values. Bad input throws ApricotError (invalid_argument naming the
 * field); a missing key or host throws not_found; store failures are ConfigStoreError (mapped to Unavailable).
 * @module
 */
import { hostname } from 'node:os';
import { ConfigError } from '../common/config-source.ts';
import { ApricotComponents } from './apricot-components.ts';
import type { ComponentQueryInput, ComponentTarget } from './apricot-components.ts';
import { badArgument, notFound } from './apricot-error.ts';
import { aliasedLinkIds, cruEndpointKey, linkIdsOf } from './apricot-links.ts';
import { treeFromEntries, treeToPlain } from './apricot-tree.ts';
import { COMPONENTS_PREFIX, formatComponentPath } from './component-path.ts';
import type { ComponentPath } from './component-path.ts';
import * as inventory from './inventory.ts';
import { lookupNode } from './key-tree.ts';
import type { KeyTree } from './key-tree.ts';
import { newRunNumber } from './store.ts';
import type { ConfigStore } from './store.ts';
import type { RenderLimits } from '../template/payload/index.ts';

export type { ComponentQueryInput, ComponentTarget } from './apricot-components.ts';

const RUNTIME = 'o2/runtime';
const NAME = /^[a-zA-Z0-9_.-]+$/;

export interface ApricotServiceOptions {
  /** Value of the computed default `core_hostname`; defaults to os.hostname(). */
  readonly hostname?: string;
  /** Keep surrounding whitespace of defaults/vars (AliECS `--trimSpaceInVarsFromConsulKV=false`). */
  readonly keepVarWhitespace?: boolean;
  /** Generator behind `uid.New()` in payload templates. */
  readonly newUid?: () => string;
  /** Overrides of the payload render limits (default 8 MiB output, 1,000,000 steps, includes 32 deep). */
  readonly payloadLimits?: Partial<RenderLimits>;
}

const HARDWARE_TTL_MS = 1000;

export class ApricotService {
  readonly components: ApricotComponents;
  private readonly unwatch: () => void;

  private hardwareCache: { readonly at: number; readonly tree: Promise<KeyTree> } | undefined;

  constructor(
    readonly store: ConfigStore,
    private readonly options: ApricotServiceOptions = {},
  ) {
    this.components = new ApricotComponents(store, options.newUid, options.payloadLimits);
    const unwatchComponents = store.watch(COMPONENTS_PREFIX, () => this.components.invalidate());
    const unwatchHardware = store.watch('o2/hardware', () => (this.hardwareCache = undefined));
    this.unwatch = () => {
      unwatchComponents();
      unwatchHardware();
    };
  }

  /** Stops watching the store (the store itself stays open). */
  close(): void {
    this.unwatch();
  }

  newRunNumber(): Promise<number> {
    return newRunNumber(this.store);
  }

  /** `o2/runtime/aliecs/defaults/*` plus the computed `consul_*`, `framework_id` and `core_hostname` (they win). */
  async getDefaults(): Promise<Record<string, string>> {
    const { host, port } = hostPort(this.store.uri);
    return {
      ...(await this.flat(`${RUNTIME}/aliecs/defaults`)),
      consul_base_uri: this.store.uri,
      consul_hostname: host,
      consul_port: port,
      consul_endpoint: host === '' ? '' : `${host}:${port}`,
      framework_id: (await this.store.get(`${RUNTIME}/aliecs/mesos_fid`))?.trim() ?? '',
      core_hostname: this.options.hostname ?? hostname(),
    };
  }

  getVars(): Promise<Record<string, string>> {
    return this.flat(`${RUNTIME}/aliecs/vars`);
  }

  /** JSON of the subtree at `path` (an object of nested objects and strings); NotFound when empty. */
  async rawGetRecursive(path: string): Promise<string> {
    const entries = await this.store.getRecursive(path);
    const node = lookupNode(treeFromEntries(entries), path);
    if (node === undefined) throw notFound('rawPath', `nothing at configuration key ${path}`);
    return JSON.stringify(treeToPlain(node));
  }

  async listDetectors(getAll: boolean): Promise<string[]> {
    return inventory.listDetectors(await this.hardware(), getAll);
  }

  /** FLPs of `detector`, or every FLP (`o2/hardware/flps`) when it is "". */
  async getHostInventory(detector: string): Promise<string[]> {
    if (detector === '') return this.store.list(inventory.FLPS_KEY);
    checkName('detector', detector);
    return this.store.list(`${inventory.DETECTORS_KEY}/${detector}/flps`);
  }

  async getDetectorsInventory(): Promise<Record<string, string[]>> {
    const tree = await this.hardware();
    const out: Record<string, string[]> = {};
    for (const d of inventory.listDetectors(tree, true)) {
      const flps = lookupNode(tree, `${inventory.DETECTORS_KEY}/${d}/flps`);
      out[d] = flps instanceof Map ? [...flps.keys()].sort() : [];
    }
    return out;
  }

  async getDetectorForHost(host: string): Promise<string> {
    checkName('hostname', host);
    return lookup('hostname', inventory.detectorForHost, await this.hardware(), host);
  }

  async getDetectorsForHosts(hosts: readonly string[]): Promise<string[]> {
    hosts.forEach((h, i) => checkName(`hosts[${i}]`, h));
    return lookup('hosts', inventory.detectorsForHosts, await this.hardware(), hosts);
  }

  async getCruCardsForHost(host: string): Promise<string[]> {
    checkName('hostname', host);
    return lookup('hostname', inventory.cruCardsForHost, await this.hardware(), host);
  }

  async getEndpointsForCruCard(host: string, serial: string): Promise<string[]> {
    checkName('hostname', host);
    checkName('cardSerial', serial);
    const tree = await this.hardware();
    return lookup('hostname', (t, h: string) => inventory.endpointsForCruCard(t, h, serial), tree, host);
  }

  async getLinkIdsForCruEndpoint(host: string, serial: string, endpoint: string, onlyEnabled: boolean) {
    checkName('hostname', host);
    checkName('cardSerial', serial);
    checkName('endpoint', endpoint);
    const key = cruEndpointKey(host, serial, endpoint);
    const text = await this.store.get(key);
    if (text === undefined) throw notFound('endpoint', `no readout card configuration at ${key}`);
    return linkIdsOf(key, text, onlyEnabled);
  }

  /** Link aliases of the detector's FLPs (`…/flps/<host>/aliases`); with onlyEnabled, enabled links only. */
  async getAliasedLinkIdsForDetector(detector: string, onlyEnabled: boolean): Promise<string[]> {
    checkName('detector', detector);
    const prefix = `${inventory.DETECTORS_KEY}/${detector}/flps`;
    const entries = await this.store.getRecursive(prefix);
    if (entries.size === 0)
      throw notFound('detector', `detector ${detector} not found in ${inventory.DETECTORS_KEY}`);
    const docs = [...entries]
      .filter(([k]) => k.endsWith('/aliases'))
      .map(([k, text]) => ({ host: k.slice(prefix.length + 1, -'/aliases'.length), text }));
    const endpoints = new Map<string, string[]>();
    if (onlyEnabled) {
      for (const { host } of docs) {
        for (const [k, v] of await this.store.getRecursive(`o2/components/readoutcard/${host}/cru`)) {
          const [serial = '', endpoint = ''] = k.split('/').slice(-2);
          endpoints.set(`${host}/${serial}/${endpoint}`, linkIdsOf(k, v, true));
        }
      }
    }
    const enabled = (h: string, s: string, e: string, id: string): boolean =>
      endpoints.get(`${h}/${s}/${e}`)?.includes(id) ?? false;
    return aliasedLinkIds(docs, onlyEnabled ? enabled : undefined);
  }

  async getRuntimeEntry(component: string, key: string): Promise<string> {
    const k = runtimeKey(component, key);
    const value = await this.store.get(k);
    if (value === undefined) throw notFound('key', `no runtime entry at ${k}`);
    return value;
  }

  async setRuntimeEntry(component: string, key: string, value: string): Promise<void> {
    await this.store.put(runtimeKey(component, key), value);
  }

  /** Every key under `o2/runtime/<component>/` (relative, may contain `/`) with its value. */
  async getRuntimeEntries(component: string): Promise<Record<string, string>> {
    checkName('component', component);
    const prefix = `${RUNTIME}/${component}/`;
    const entries = await this.store.getRecursive(`${RUNTIME}/${component}`);
    return Object.fromEntries(
      [...entries].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]),
    );
  }

  async listRuntimeEntries(component: string): Promise<string[]> {
    return Object.keys(await this.getRuntimeEntries(component)).sort();
  }

  listComponents(): Promise<string[]> {
    return this.components.listComponents();
  }

  listComponentEntries(target: { path: string } | { query: ComponentQueryInput }): Promise<string[]> {
    return this.components.listEntries(target);
  }

  /** Payload and last index of a path (exact) or a query (with fallback), rendered when `process`. */
  getComponentConfiguration(
    target: ComponentTarget,
    process: boolean,
    varStack: Readonly<Record<string, string>> = {},
  ) {
    return this.components.get(target, process, varStack);
  }

  async resolveComponentQuery(query: ComponentQueryInput): Promise<ComponentPath> {
    return this.components.resolve(query);
  }

  importComponentConfiguration(query: ComponentQueryInput, payload: string, newComponent: boolean) {
    return this.components.import(query, payload, newComponent);
  }

  invalidateComponentTemplateCache(): void {
    this.components.invalidate();
  }

  /** `component/RUNTYPE/role/entry` of a resolved path (convenience for transports). */
  static format(path: ComponentPath): string {
    return formatComponentPath(path);
  }

  /** The inventory tree, cached (like AliECS's cache proxy): dropped on a store write under o2/hardware, or after 1 s. */
  private hardware(): Promise<KeyTree> {
    const now = Date.now();
    if (this.hardwareCache === undefined || now - this.hardwareCache.at > HARDWARE_TTL_MS) {
      const tree = this.store.getRecursive('o2/hardware').then(treeFromEntries);
      this.hardwareCache = { at: now, tree };
      tree.catch(() => (this.hardwareCache = undefined));
    }
    return this.hardwareCache.tree;
  }

  private async flat(prefix: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [k, v] of await this.store.getRecursive(prefix)) {
      const name = k.slice(prefix.length + 1);
      if (name === '' || name.includes('/')) continue;
      out[name] = this.options.keepVarWhitespace === true ? v : v.trim();
    }
    return out;
  }
}

/** Host and port of a store URI (`etcd://h:2379` → h, 2379); "" for URIs without a host. */
export function hostPort(uri: string): { host: string; port: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/:]+)(?::(\d+))?/i.exec(uri);
  return { host: m?.[1] ?? '', port: m?.[2] ?? '' };
}

/** `o2/runtime/<component>/<key>`; leading and trailing `/` of the key are dropped, as Consul (and coconut) do. */
function runtimeKey(component: string, key: string): string {
  checkName('component', component);
  const k = key.replace(/^\/+|\/+$/g, '');
  if (k.trim() === '' || k.split('/').some((s) => !NAME.test(s)))
    throw badArgument('key', `invalid runtime key "${key}"`);
  return `${RUNTIME}/${component}/${k}`;
}

function checkName(field: string, value: string): void {
  if (!NAME.test(value)) throw badArgument(field, `invalid name "${value}"`);
}

/** Runs an inventory lookup, turning its ConfigError into NotFound naming `field`. */
function lookup<A, R>(field: string, fn: (tree: KeyTree, arg: A) => R, tree: KeyTree, arg: A): R {
  try {
    return fn(tree, arg);
  } catch (e) {
    if (e instanceof ConfigError) throw notFound(field, e.message);
    throw e;
  }
}
