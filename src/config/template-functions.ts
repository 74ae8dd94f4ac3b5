/**
 * Helper functions visible to component payload templates, named as AliECS binds them for Apricot's pongo2
 * rendering: the namespaces `strings`, `json`, `uid`, `util` plus the legacy top-level aliases.
 * Helpers never throw: bad input gives an empty or zero result, as the Go helpers do.
 * @module
 */
import { randomInt } from 'node:crypto';

const TRUTHY = ['true', 'yes', 'y', '1', 'on', 'ok'];
const FALSY = ['false', 'no', 'n', '0', 'off', 'none'];
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
  IsTruthy: (v: unknown): boolean => TRUTHY.includes(text(v).trim().toLowerCase()),
  IsFalsy: (v: unknown): boolean => ['', ...FALSY].includes(text(v).trim().toLowerCase()),
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

function utilHelpers(varStack: Readonly<Record<string, string>>) {
  const usable = (v: string | undefined): v is string => v !== undefined && v !== 'none' && v.trim() !== '';
  return {
    /** `<prefix>_<name>` when set and not empty/"none", else `<name>` likewise, else "". */
    PrefixedOverride: (name: unknown, prefix: unknown): string => {
      const prefixed = varStack[`${text(prefix)}_${text(name)}`];
      const plain = varStack[text(name)];
      return usable(prefixed) ? prefixed : usable(plain) ? plain : '';
    },
    /** "true" when `input` is `prefix` (non-empty) followed by an integer within [min, max]. */
    SuffixInRange: (input: unknown, prefix: unknown, min: unknown, max: unknown): string => {
      const [s, p] = [text(input), text(prefix)];
      if (p === '' || !s.startsWith(p)) return 'false';
      const [id, lo, hi] = [s.slice(p.length), min, max].map(toInt);
      return id !== undefined && lo !== undefined && hi !== undefined && id >= lo && id <= hi
        ? 'true'
        : 'false';
    },
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
