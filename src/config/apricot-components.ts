/**
 * Component configuration operations of the Apricot service over a ConfigStore: listing, reading (raw or rendered
 * by the sandboxed payload template engine), query resolution with the ANY/any fallback, import, and the template cache.
 * @module
 */
import { ConfigError } from '../common/config-source.ts';
import { ApricotError, badArgument, notFound } from './apricot-error.ts';
import {
  COMPONENTS_PREFIX,
  componentKey,
  fallbackOrder,
  formatComponentPath,
  parseComponentPath,
} from './component-path.ts';
import type { ComponentPath } from './component-path.ts';
import { PayloadRenderer } from './payload-renderer.ts';
import { isRunType } from './run-type.ts';
import type { ConfigStore } from './store.ts';
import type { RenderLimits } from '../template/payload/index.ts';

const NAME = /^[a-zA-Z0-9_-]+$/;

/** A component query with the run type by name (`PHYSICS`, `ANY`); `entry` absent when listing. */
export interface ComponentQueryInput {
  readonly component: string;
  readonly runType: string;
  readonly role: string;
  readonly entry?: string;
}

/** Which payload to read: an exact path, or a query resolved with the fallback. */
export type ComponentTarget = { readonly path: string } | { readonly query: ComponentQueryInput };

export interface ComponentPayload {
  readonly path: string;
  readonly payload: string;
  readonly lastIndex: bigint;
}

/** Component payloads with a cached snapshot of `o2/components` for template includes. */
export class ApricotComponents {
  private snapshot: Promise<Map<string, string>> | undefined;
  private readonly renderer: PayloadRenderer;
  private current = new Map<string, string>();

  constructor(
    private readonly store: ConfigStore,
    newUid?: () => string,
    limits?: Partial<RenderLimits>,
  ) {
    const lookup = (path: string): string | undefined => this.current.get(path);
    this.renderer = new PayloadRenderer({
      lookup,
      ...(newUid !== undefined ? { newUid } : {}),
      ...(limits !== undefined ? { limits } : {}),
    });
  }

  /** Drops compiled templates and the payload snapshot (on any write under `o2/components`). */
  invalidate(): void {
    this.snapshot = undefined;
    this.renderer.invalidate();
  }

  /** Direct children of `o2/components`. */
  listComponents(): Promise<string[]> {
    return this.store.list(COMPONENTS_PREFIX);
  }

  /**
   * `RUNTYPE/role/entry` of every payload of a component, sorted; `path` is `component` or
   * `component/RUNTYPE/role`; a query with run type NULL/"" and role "" lists the whole component.
   */
  async listEntries(target: { path: string } | { query: ComponentQueryInput }): Promise<string[]> {
    const [component, runType, role] =
      'path' in target ? splitListPath(target.path) : queryFilter(target.query);
    const entries = await this.store.getRecursive(`${COMPONENTS_PREFIX}/${component}`);
    const prefix = `${COMPONENTS_PREFIX}/${component}/`;
    const filter = runType === '' ? '' : `${runType}/${role}/`;
    return [...entries.keys()]
      .map((k) => k.slice(prefix.length))
      .filter((k) => k.startsWith(filter) && k.split('/').length >= 3)
      .sort();
  }

  /** Payload of `target`, rendered with `varStack` when `process`; NotFound when there is none. */
  async get(target: ComponentTarget, process: boolean, varStack: Readonly<Record<string, string>>) {
    const path = 'path' in target ? checkPath('path', target.path) : await this.resolve(target.query);
    const key = componentKey(path);
    const raw = await this.store.get(key);
    if (raw === undefined) throw notFound('path', `no configuration payload at ${key}`);
    const lastIndex = await this.store.lastIndex(key);
    const payload = process ? await this.render(formatComponentPath(path), varStack) : raw;
    return { path: formatComponentPath(path), payload, lastIndex } satisfies ComponentPayload;
  }

  /** The existing path for a query after the fallback exact → ANY → any → ANY/any; NotFound when none exists. */
  async resolve(query: ComponentQueryInput): Promise<ComponentPath> {
    const path = checkQuery(query);
    for (const candidate of fallbackOrder(path)) {
      if ((await this.store.get(componentKey(candidate))) !== undefined) return candidate;
    }
    throw notFound('query', `could not resolve configuration path ${componentKey(path)}`);
  }

  /**
   * Writes a payload. An unknown component is refused unless `newComponent`; `newComponent` for an existing
   * component is refused too.
   */
  async import(query: ComponentQueryInput, payload: string, newComponent: boolean) {
    const path = checkQuery(query);
    const exists = (await this.listComponents()).includes(path.component);
    if (!exists && !newComponent) {
      throw badArgument(
        'query.component',
        `component ${path.component} does not exist (use newComponent to create it)`,
      );
    }
    if (exists && newComponent) {
      throw badArgument('newComponent', `component ${path.component} already exists`);
    }
    const key = componentKey(path);
    const existingEntryUpdated = (await this.store.get(key)) !== undefined;
    await this.store.put(key, payload);
    this.invalidate();
    return { existingComponentUpdated: exists, existingEntryUpdated };
  }

  private async render(path: string, varStack: Readonly<Record<string, string>>): Promise<string> {
    this.snapshot ??= this.load();
    this.current = await this.snapshot;
    try {
      return this.renderer.render(path, varStack);
    } catch (e) {
      if (e instanceof ConfigError)
        throw new ApricotError('failed_precondition', e.message, 'processTemplate');
      throw e;
    }
  }

  private async load(): Promise<Map<string, string>> {
    const entries = await this.store.getRecursive(COMPONENTS_PREFIX);
    const cut = COMPONENTS_PREFIX.length + 1;
    return new Map([...entries].map(([k, v]) => [k.slice(cut), v]));
  }
}

/** Validated path; InvalidArgument naming `field` with the reason otherwise. */
export function checkPath(field: string, path: string): ComponentPath {
  const parsed = parseComponentPath(path);
  if (!parsed.ok) throw badArgument(field, parsed.message);
  return parsed.value;
}

function checkQuery(q: ComponentQueryInput): ComponentPath {
  if (!isRunType(q.runType)) throw badArgument('query.runType', `unknown run type "${q.runType}"`);
  return checkPath('query', `${q.component}/${q.runType}/${q.role}/${q.entry ?? ''}`);
}

function splitListPath(path: string): [string, string, string] {
  const parts = path.trim().split('/');
  const [component = '', runType = '', role = ''] = parts;
  if (!NAME.test(component)) throw badArgument('path', `invalid component name "${component}"`);
  if (parts.length === 1) return [component, '', ''];
  if (parts.length !== 3)
    throw badArgument('path', `expected component or component/RUNTYPE/role, got "${path}"`);
  if (!isRunType(runType)) throw badArgument('path', `unknown run type "${runType}"`);
  if (!NAME.test(role)) throw badArgument('path', `invalid role name "${role}"`);
  return [component, runType, role];
}

function queryFilter(q: ComponentQueryInput): [string, string, string] {
  if (!NAME.test(q.component))
    throw badArgument('query.component', `invalid component name "${q.component}"`);
  const all = (q.runType === '' || q.runType === 'NULL') && q.role === '';
  if (all) return [q.component, '', ''];
  if (!isRunType(q.runType)) throw badArgument('query.runType', `unknown run type "${q.runType}"`);
  if (!NAME.test(q.role)) throw badArgument('query.machineRole', `invalid role name "${q.role}"`);
  return [q.component, q.runType, q.role];
}
