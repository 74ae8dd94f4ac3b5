/**
 * The AliECS template function library (aliecs.md §8): namespaces `strings`, `json`, `uid`, `util`, `config`,
 * `inventory`, `runtime`, plus the deprecated top-level aliases. Not here: `dpl.*`, `GenerateDplSubworkflow*`,
 * `Parent`/`Up`/`This` and `ToPtree`, which the workflow engine adds.
 */
import type { ConfigSource } from '../../common/config-source.ts';
import { ExprFunction } from '../expr/value.ts';
import type { Scope, Value, ValueMap } from '../expr/value.ts';
import { renderTemplate } from '../interpolate.ts';
import { configNamespace, inventoryNamespace, runtimeNamespace } from './config.ts';
import type { ConfigAccess, ConfigErrorMode } from './config.ts';
import { jsonNamespace } from './json.ts';
import { stringsNamespace } from './strings.ts';
import { dumpFunction, utilNamespace } from './util.ts';
import type { DumpFile } from './util.ts';
import type { VarSource } from './var-source.ts';

export interface FunctionLibraryDeps {
  /** Backs `config`, `inventory` and `runtime`; without it those functions raise evaluation errors. */
  readonly config?: ConfigSource;
  /** Produces `uid.New()` / `NewID()` values (see newUid in ./uid.ts). */
  readonly newUid: () => string;
  /** Receives `util.Dump(text, path)`; without it Dump only returns its text. */
  readonly dumpFile?: DumpFile;
  /** 'throw' (default): a failing configuration lookup is an evaluation error; 'inline': AliECS `{"error":…}` text. */
  readonly configErrors?: ConfigErrorMode;
}

/** Builds the namespaces for one variable source; call it once per evaluation context (role and stage). */
export type FunctionLibrary = (vars: VarSource) => Readonly<Record<string, Value>>;

/** Deprecated top-level names and the namespace member each one stands for. */
const ALIASES: Readonly<Record<string, readonly [string, string]>> = {
  GetConfig: ['config', 'Get'],
  GetConfigLegacy: ['config', 'GetLegacy'],
  ResolveConfigPath: ['config', 'ResolvePath'],
  DetectorForHost: ['inventory', 'DetectorForHost'],
  DetectorsForHosts: ['inventory', 'DetectorsForHosts'],
  CRUCardsForHost: ['inventory', 'CRUCardsForHost'],
  EndpointsForCRUCard: ['inventory', 'EndpointsForCRUCard'],
  GetRuntimeConfig: ['runtime', 'Get'],
  Atoi: ['strings', 'Atoi'],
  Itoa: ['strings', 'Itoa'],
  TrimQuotes: ['strings', 'TrimQuotes'],
  TrimSpace: ['strings', 'TrimSpace'],
  ToUpper: ['strings', 'ToUpper'],
  ToLower: ['strings', 'ToLower'],
  IsTruthy: ['strings', 'IsTruthy'],
  IsFalsy: ['strings', 'IsFalsy'],
  FromJson: ['json', 'Unmarshal'],
  ToJson: ['json', 'Marshal'],
  NewID: ['uid', 'New'],
  PrefixedOverride: ['util', 'PrefixedOverride'],
  Dump: ['util', 'Dump'],
  Nullable: ['util', 'Nullable'],
  SuffixInRange: ['util', 'SuffixInRange'],
};

/**
 * Creates the library. Namespaces that do not read variables are built once and shared; `util` and `config`
 * (PrefixedOverride, config.Get, config.GetLegacy) are built per call because they read `vars`.
 * config.GetLegacy renders the raw payload with `{{ }}` against `vars` plus this library.
 */
export function createFunctionLibrary(deps: FunctionLibraryDeps): FunctionLibrary {
  const access: ConfigAccess = { source: deps.config, errors: deps.configErrors ?? 'throw' };
  const shared: Record<string, ValueMap> = {
    strings: stringsNamespace(),
    json: jsonNamespace(),
    uid: { New: new ExprFunction('uid.New', () => deps.newUid()) },
    inventory: inventoryNamespace(access),
    runtime: runtimeNamespace(access),
  };
  const dump = dumpFunction(deps.dumpFile);
  return (vars) => {
    const namespaces: Record<string, ValueMap> = { ...shared, util: utilNamespace(vars, dump) };
    const library: Record<string, Value> = namespaces;
    const scope: Scope = { get: (name) => library[name] ?? vars.get(name) };
    namespaces['config'] = configNamespace(access, vars, (text) => renderTemplate(text, scope));
    for (const [alias, [ns, member]] of Object.entries(ALIASES))
      library[alias] = namespaces[ns]?.[member] ?? null;
    return library;
  };
}
