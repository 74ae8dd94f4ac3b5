/**
 * Member access, indexing and slicing: `a.b`, `a["k"]`, `a[0]`, `a[-1]`, `a[1:3]` on maps, lists and strings.
 * Strings are indexed by character (code point), as expr-lang indexes runes.
 */
import { renderValue } from './render.ts';
import { ExprError, isValueMap, mapGet, typeName } from './value.ts';
import type { Value } from './value.ts';

/** `object[key]`: a missing map key is nil; an out-of-range list index or a nil object is an error. */
export function fetch(object: Value, key: Value): Value {
  if (isValueMap(object)) {
    if (typeof key !== 'string' && typeof key !== 'number') throw badKey(object, key);
    return mapGet(object, typeof key === 'string' ? key : renderValue(key)) ?? null;
  }
  if (Array.isArray(object)) return (object as Value[])[position(object.length, key, object)] ?? null;
  if (typeof object === 'string') {
    const chars = Array.from(object);
    return chars[position(chars.length, key, object)] ?? null;
  }
  const what = typeof key === 'string' ? key : renderValueSafe(key);
  throw new ExprError('type_error', `cannot fetch ${what} from ${typeName(object)}`);
}

/** `object[from:to]` on a list or string; bounds may be negative (from the end) and are clamped. */
export function slice(object: Value, from: Value | undefined, to: Value | undefined): Value {
  if (typeof object === 'string') {
    const chars = Array.from(object);
    const [start, end] = sliceBounds(chars.length, from, to, object);
    return chars.slice(start, end).join('');
  }
  if (!Array.isArray(object)) throw new ExprError('type_error', `cannot slice ${typeName(object)}`);
  const list = object as readonly Value[];
  const [start, end] = sliceBounds(list.length, from, to, object);
  return list.slice(start, end);
}

function sliceBounds(
  n: number,
  from: Value | undefined,
  to: Value | undefined,
  object: Value,
): [number, number] {
  const start = clamp(bound(from, 0, object), n);
  return [start, Math.max(start, clamp(bound(to, n, object), n))];
}

function position(length: number, key: Value, object: Value): number {
  if (typeof key !== 'number' || !Number.isInteger(key)) throw badKey(object, key);
  const i = key < 0 ? length + key : key;
  if (i < 0 || i >= length) {
    throw new ExprError(
      'evaluation_error',
      `index out of range: ${key} (${typeName(object)} length is ${length})`,
    );
  }
  return i;
}

function bound(v: Value | undefined, fallback: number, object: Value): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badKey(object, v);
  return v;
}

function clamp(i: number, n: number): number {
  const j = i < 0 ? n + i : i;
  return Math.min(Math.max(j, 0), n);
}

function badKey(object: Value, key: Value): ExprError {
  if (typeof key === 'string')
    return new ExprError('type_error', `cannot fetch ${key} from ${typeName(object)}`);
  return new ExprError('type_error', `cannot use ${typeName(key)} as index to ${typeName(object)}`);
}

function renderValueSafe(v: Value): string {
  try {
    return renderValue(v);
  } catch {
    return typeName(v);
  }
}
