/**
 * Helper functions visible to component payload templates, named as AliECS binds them for Apricot's pongo2
 * rendering: the namespaces `strings`, `json`, `uid`, `util` plus the legacy top-level aliases.
 * Helpers never throw: bad input gives an empty or zero result, as the Go helpers do.
 * @module
 */
import { randomInt } from 'node:crypto';
import { isFalsyWord, isTruthyWord } from '../template/functions/strings.ts';
import { prefixedOverride, suffixInRange } from '../template/functions/util.ts';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** An 11-character base58 id, the shape of AliECS environment ids (random here, not time-ordered). */
export function randomUid(): string {
  return Array.from({ length: 11 }, () => BASE58[randomInt(BASE58.length)]).join('');
}

/** Helper arguments as text: undefined/null are "", objects their JSON. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return v === undefined || v === null ? '' : marshal(v);
}
const toInt = (v: unknown): number | undefined =>
  /^[+-]?\d+$/.test(text(v)) ? Number.parseInt(text(v), 10) : undefined;

const stringHelpers = {
  Atoi: (v: unknown): number => toInt(v) ?? 0,
  Itoa: (v: unknown): string => text(v),
  TrimQuotes: (v: unknown): string => text(v).replace(/^"+|"+$/g, ''),
  TrimSpace: (v: unknown): string => text(v).trim(),
  ToUpper: (v: unknown): string => text(v).toUpperCase(),
  ToLower: (v: unknown): string => text(v).toLowerCase(),
  IsTruthy: (v: unknown): boolean => isTruthyWord(text(v)),
  IsFalsy: (v: unknown): boolean => isFalsyWord(text(v)),
};

function unmarshal(v: unknown): unknown {
  try {
    return JSON.parse(text(v)) as unknown;
  } catch {
    return null;
  }
}

function marshal(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

const jsonHelpers = {
  Unmarshal: unmarshal,
  Deserialize: unmarshal,
  Marshal: marshal,
  Serialize: marshal,
  Sort: (v: unknown): unknown => (Array.isArray(v) ? v.map((x) => text(x)).sort() : v),
};

/** The `util` helpers of §8, shared with the workflow templates' function library. */
function utilHelpers(varStack: Readonly<Record<string, string>>) {
  const vars = { get: (n: string): string | undefined => varStack[n], toRecord: () => varStack };
  return {
    PrefixedOverride: (name: unknown, prefix: unknown): string =>
      prefixedOverride(vars, text(name), text(prefix)),
    SuffixInRange: (input: unknown, prefix: unknown, min: unknown, max: unknown): string =>
      suffixInRange(text(input), text(prefix), text(min), text(max)),
  };
}

/**
 * Bindings added on top of the var stack when a payload is rendered (they win over vars of the same name, as in
 * AliECS). `varStack` feeds `util.PrefixedOverride`; `newUid` backs `uid.New`.
 */
export function templateHelpers(
  varStack: Readonly<Record<string, string>>,
  newUid: () => string = randomUid,
): Record<string, unknown> {
  const util = utilHelpers(varStack);
  const uid = { New: newUid };
  return {
    ...stringHelpers,
    FromJson: jsonHelpers.Unmarshal,
    ToJson: jsonHelpers.Marshal,
    NewID: uid.New,
    ...util,
    strings: stringHelpers,
    json: jsonHelpers,
    uid,
    util,
  };
}
