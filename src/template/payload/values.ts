/**
 * Operations on template values (the Value model of template expressions: null, strings, numbers, booleans,
 * lists, maps, whitelisted functions). Member and index access read only own entries of lists and maps, so the
 * host language (prototypes, constructors, globals) is unreachable; everything else is simply missing (null).
 */
import { formatNumber } from '../expr/render.ts';
import { ExprFunction, isValueMap, mapGet, typeName } from '../expr/value.ts';
import type { Value, ValueMap } from '../expr/value.ts';
import type { Budget } from './budget.ts';
import { fail } from './errors.ts';

const MAX_DEPTH = 100;

/** A map of our own: no prototype, so no inherited members and `__proto__` is an ordinary key. */
export function newMap(entries: Iterable<readonly [string, Value]>): ValueMap {
  const m = Object.create(null) as Record<string, Value>;
  for (const [k, v] of entries) m[k] = v;
  return m;
}

const KEYS = new WeakMap<ValueMap, readonly string[]>();

/** Own keys of a map, computed once per map (maps never change while rendering, and big ones are slow to list). */
export function keysOf(m: ValueMap): readonly string[] {
  let keys = KEYS.get(m);
  if (keys === undefined) {
    keys = Object.keys(m);
    KEYS.set(m, keys);
  }
  return keys;
}

/** Jinja truthiness: null, false, 0, "", [] and {} are false. */
export function truthy(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof ExprFunction) return true;
  return isValueMap(v) && keysOf(v).length > 0;
}

/** `target.key`: own map entries, list items by integer key; anything else is missing (null). */
export function member(target: Value, key: string): Value {
  if (isValueMap(target)) return mapGet(target, key) ?? null;
  if (/^\d+$/.test(key)) return item(target, Number(key));
  return null;
}

/** `target[index]`: map entries by text key, list and string items by integer (negative from the end). */
export function index(target: Value, key: Value): Value {
  if (isValueMap(target)) return typeof key === 'string' ? (mapGet(target, key) ?? null) : null;
  if (typeof key === 'number' && Number.isInteger(key)) return item(target, key);
  return null;
}

function item(target: Value, i: number): Value {
  if (Array.isArray(target) || typeof target === 'string') {
    const list = target as readonly Value[] | string;
    const at = i < 0 ? list.length + i : i;
    if (at < 0 || at >= list.length) return null;
    return (typeof list === 'string' ? list.charAt(at) : list[at]) ?? null;
  }
  return null;
}

/** Text of a value as it is rendered: nil "", Go-style numbers, lists and maps as JSON (sorted keys). */
export function toText(v: Value, budget: Budget): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (v instanceof ExprFunction) fail(`cannot render function ${v.name} as text (missing call parentheses?)`);
  return encodeJson(v, budget);
}

/** Go-style JSON (sorted map keys, `<>&` escaped), built under the budget: each item is a step, size capped. */
export function encodeJson(v: Value, budget: Budget): string {
  const parts: string[] = [];
  let size = 0;
  const emit = (s: string): void => {
    size += s.length;
    budget.fits(size);
    parts.push(s);
  };
  const walk = (x: Value, depth: number): void => {
    budget.step();
    if (depth > MAX_DEPTH) fail(`value nested deeper than ${MAX_DEPTH} levels`);
    if (x instanceof ExprFunction) fail(`cannot encode function ${x.name} as JSON`);
    if (Array.isArray(x)) {
      emit('[');
      (x as readonly Value[]).forEach((e, i) => {
        if (i > 0) emit(',');
        walk(e, depth + 1);
      });
      emit(']');
    } else if (isValueMap(x)) {
      emit('{');
      [...keysOf(x)].sort().forEach((k, i) => {
        emit(`${i > 0 ? ',' : ''}${escapeJson(JSON.stringify(k))}:`);
        walk(mapGet(x, k) ?? null, depth + 1);
      });
      emit('}');
    } else if (typeof x === 'number' && !Number.isFinite(x)) fail(`cannot encode ${formatNumber(x)} as JSON`);
    else emit(escapeJson(JSON.stringify(x)));
  };
  walk(v, 0);
  return parts.join('');
}

function escapeJson(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Charges the size of `v` (one step per list item or map entry, nested values counted each time they occur, one
 * per KiB of text) before a helper works on it, so shared sub-lists cannot make a helper do unbounded work.
 */
export function chargeSize(v: Value, budget: Budget): void {
  let text = 0;
  const walk = (x: Value, depth: number): void => {
    budget.step();
    if (depth > MAX_DEPTH) fail(`value nested deeper than ${MAX_DEPTH} levels`);
    if (typeof x === 'string') {
      text += x.length;
      budget.fits(text);
      budget.scan(x);
    } else if (Array.isArray(x)) for (const e of x as readonly Value[]) walk(e, depth + 1);
    else if (isValueMap(x)) for (const k of keysOf(x)) walk(mapGet(x, k) ?? null, depth + 1);
  };
  walk(v, 0);
}

/** Equality: same type and value; lists and maps compare by content. */
export function equals(a: Value, b: Value, budget: Budget): boolean {
  if (a === b) return true;
  const structured = (x: Value) => Array.isArray(x) || isValueMap(x);
  if (structured(a) && structured(b)) return encodeJson(a, budget) === encodeJson(b, budget);
  return false;
}

/** A number from a number or numeric text (`"5"`, `" 2.5 "`); undefined otherwise. */
export function asNumber(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/** The items a `for` walks: list items, map keys (in insertion order), string characters (charged); nil is empty. */
export function iterable(v: Value, budget: Budget): readonly Value[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v as readonly Value[];
  if (typeof v === 'string') {
    budget.step(v.length);
    return [...v];
  }
  if (isValueMap(v)) return keysOf(v);
  return fail(`cannot iterate over ${typeName(v)}`);
}

export { typeName };
