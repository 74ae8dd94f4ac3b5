/**
 * Helper functions visible to component payload templates, named as AliECS binds them for Apricot's pongo2
 * rendering: the namespaces `strings`, `json`, `uid`, `util` plus the legacy top-level aliases. They are the
 * functions of the workflow templates' library (src/template/functions), picked by name: a helper that fails
 * (e.g. `strings.Itoa` of text) is a template error naming the entry and line.
 * @module
 */
import { randomInt } from 'node:crypto';
import { createFunctionLibrary } from '../template/functions/index.ts';
import type { VarSource } from '../template/functions/index.ts';
import type { Value } from '../template/expr/index.ts';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The names payloads see; everything else of the library (config, inventory, runtime, …) stays out. */
const OFFERED = [
  'strings',
  'json',
  'uid',
  'util',
  'Atoi',
  'Itoa',
  'TrimQuotes',
  'TrimSpace',
  'ToUpper',
  'ToLower',
  'IsTruthy',
  'IsFalsy',
  'FromJson',
  'ToJson',
  'NewID',
  'PrefixedOverride',
  'SuffixInRange',
] as const;

/** An 11-character base58 id, the shape of AliECS environment ids (random here, not time-ordered). */
export function randomUid(): string {
  return Array.from({ length: 11 }, () => BASE58[randomInt(BASE58.length)]).join('');
}

/** Builds the helper table of one render from its var stack (which feeds `util.PrefixedOverride`). */
export type PayloadHelpers = (varStack: Readonly<Record<string, string>>) => Record<string, Value>;

/** The helper tables for payload rendering; `newUid` backs `uid.New`/`NewID`. */
export function createPayloadHelpers(newUid: () => string = randomUid): PayloadHelpers {
  const library = createFunctionLibrary({ newUid });
  return (varStack) => {
    const all = library(varSourceOf(varStack));
    const picked: Record<string, Value> = {};
    for (const name of OFFERED) picked[name] = all[name] ?? null;
    return picked;
  };
}

/** The var stack as the library reads it: own entries only (`constructor` is not a variable). */
function varSourceOf(varStack: Readonly<Record<string, string>>): VarSource {
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(varStack, name) ? varStack[name] : undefined),
    toRecord: () => varStack,
  };
}
