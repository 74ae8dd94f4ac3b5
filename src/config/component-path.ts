/**
 * Component configuration paths `component/RUNTYPE/role/entry` (keys under `o2/components/`), their validation
 * and the ANY/any fallback order used to resolve a query.
 * @module
 */
import { ConfigError } from '../common/config-source.ts';
import { FALLBACK_RUN_TYPE, isRunType } from './run-type.ts';
import type { RunType } from './run-type.ts';

/** Key prefix of component payloads in the configuration tree. */
export const COMPONENTS_PREFIX = 'o2/components';

/** Role name used when no entry exists for the requested machine role. */
export const FALLBACK_ROLE = 'any';

/** A valid component path; `entry` may contain `/`. */
export interface ComponentPath {
  readonly component: string;
  readonly runType: RunType;
  readonly role: string;
  readonly entry: string;
}

/** Why a path was rejected; the value is the name. */
export type ComponentPathProblem =
  'segments' | 'component' | 'run_type_format' | 'unknown_run_type' | 'role' | 'entry' | 'resolve_suffix';

export type ParsedComponentPath =
  | { readonly ok: true; readonly value: ComponentPath }
  | { readonly ok: false; readonly problem: ComponentPathProblem; readonly message: string };

const NAME = /^[a-zA-Z0-9_-]+$/;
const RUN_TYPE_NAME = /^[A-Z0-9_-]+$/;

/**
 * Parses `component/RUNTYPE/role/entry` (surrounding whitespace ignored). Component and role are
 * `[a-zA-Z0-9-_]+`, RUNTYPE must be a run type name, entry is one or more `/`-separated `[a-zA-Z0-9-_]+`
 * segments and may not end with `resolve` (reserved by the Apricot HTTP API). Never throws.
 */
export function parseComponentPath(path: string): ParsedComponentPath {
  const parts = path.trim().split('/');
  const [component = '', runType = '', role = ''] = parts;
  const entry = parts.slice(3).join('/');
  const fail = (problem: ComponentPathProblem, why: string): ParsedComponentPath => ({
    ok: false,
    problem,
    message: `bad component configuration path "${path}": ${why}`,
  });
  if (parts.length < 4) return fail('segments', 'expected component/RUNTYPE/role/entry');
  if (!NAME.test(component)) return fail('component', `invalid component name "${component}"`);
  if (!RUN_TYPE_NAME.test(runType)) return fail('run_type_format', `invalid run type "${runType}"`);
  if (!isRunType(runType)) return fail('unknown_run_type', `unknown run type "${runType}"`);
  if (!NAME.test(role)) return fail('role', `invalid role name "${role}"`);
  if (!parts.slice(3).every((s) => NAME.test(s))) return fail('entry', `invalid entry name "${entry}"`);
  if (entry.endsWith('resolve')) return fail('resolve_suffix', 'entry names may not end with "resolve"');
  return { ok: true, value: { component, runType, role, entry } };
}

/** Like {@link parseComponentPath}, but throws ConfigError (key = the path) when the path is invalid. */
export function componentPathOrThrow(path: string): ComponentPath {
  const parsed = parseComponentPath(path);
  if (!parsed.ok) throw new ConfigError(parsed.message, path);
  return parsed.value;
}

/** `component/RUNTYPE/role/entry`. */
export function formatComponentPath(p: ComponentPath): string {
  return `${p.component}/${p.runType}/${p.role}/${p.entry}`;
}

/** Full configuration key, `o2/components/component/RUNTYPE/role/entry`. */
export function componentKey(p: ComponentPath): string {
  return `${COMPONENTS_PREFIX}/${formatComponentPath(p)}`;
}

/**
 * Candidates in AliECS resolution order: exact, run type ANY, role `any`, then ANY/any.
 * Duplicates (when the query already uses ANY or `any`) are dropped.
 */
export function fallbackOrder(p: ComponentPath): ComponentPath[] {
  const candidates = [
    p,
    { ...p, runType: FALLBACK_RUN_TYPE },
    { ...p, role: FALLBACK_ROLE },
    { ...p, runType: FALLBACK_RUN_TYPE, role: FALLBACK_ROLE },
  ];
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const key = formatComponentPath(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
