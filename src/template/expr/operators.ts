/**
 * Semantics of the value operators (everything except the short-circuiting `&&`, `||`, `??` and `?:`).
 * AliECS flavour: `+` concatenates when either side is a string or nil, with nil acting as ''.
 */
import { renderValue } from './render.ts';
import { checkSize, ExprError, ExprFunction, isValueMap, mapGet, typeName } from './value.ts';
import type { Scope, Value } from './value.ts';

/** Largest list `a..b` may build; a bigger range is an evaluation error rather than a hang. */
export const MAX_RANGE = 1_000_000;

const regexCache = new Map<string, RegExp>();

export function typeError(op: string, ...operands: Value[]): ExprError {
  const types = operands.map(typeName).join(' and ');
  return new ExprError('type_error', `invalid operation: ${op} not defined on ${types}`);
}

function num(op: string, a: Value, b: Value): [number, number] {
  if (typeof a !== 'number' || typeof b !== 'number') throw typeError(op, a, b);
  return [a, b];
}

/** `a + b`; a string or list result longer than the scope's limit is refused before it is built. */
export function add(a: Value, b: Value, scope: Scope): Value {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const aText = a === null || typeof a === 'string' || typeof a === 'number';
  const bText = b === null || typeof b === 'string' || typeof b === 'number';
  if (aText && bText) {
    const x = a === null ? '' : renderValue(a);
    const y = b === null ? '' : renderValue(b);
    checkSize(scope, x.length + y.length, 'string');
    return x + y;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    checkSize(scope, a.length + b.length, 'list');
    return [...(a as Value[]), ...(b as Value[])];
  }
  throw typeError('+', a, b);
}

export function arithmetic(op: '-' | '*' | '/' | '%' | '**', a: Value, b: Value): number {
  const [x, y] = num(op, a, b);
  switch (op) {
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '**':
      return x ** y;
    case '%':
      if (!Number.isInteger(x) || !Number.isInteger(y)) throw typeError('%', a, b);
      if (y === 0) throw new ExprError('evaluation_error', 'integer divide by zero');
      return x % y;
  }
}

export function negate(op: '-' | '+', v: Value): number {
  if (typeof v !== 'number')
    throw new ExprError('type_error', `invalid operation: unary ${op} on ${typeName(v)}`);
  return op === '-' ? -v : v;
}

export function not(v: Value): boolean {
  if (typeof v !== 'boolean') throw new ExprError('type_error', `invalid operation: ! on ${typeName(v)}`);
  return !v;
}

/** Value equality: numbers by value, lists and maps element-wise, functions by identity. */
export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof ExprFunction || b instanceof ExprFunction) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return (a as Value[]).every((x, i) => equal(x, (b as Value[])[i] ?? null));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => {
    const other = mapGet(b as Record<string, Value>, k);
    return other !== undefined && equal((a as Record<string, Value>)[k] ?? null, other);
  });
}

export function compare(op: '<' | '<=' | '>' | '>=', a: Value, b: Value): boolean {
  const comparable =
    (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) throw typeError(op, a, b);
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** `x in y`: element of a list, key of a map, substring of a string; false for nil. */
export function isIn(needle: Value, haystack: Value): boolean {
  if (haystack === null) return false;
  if (Array.isArray(haystack)) return (haystack as Value[]).some((v) => equal(v, needle));
  if (typeof haystack === 'string') return needle !== null && haystack.includes(textOf('in', needle));
  if (isValueMap(haystack)) return typeof needle === 'string' && mapGet(haystack, needle) !== undefined;
  throw typeError('in', needle, haystack);
}

/** `a contains b`: substring of a string, or element of a list. */
export function contains(a: Value, b: Value): boolean {
  if (Array.isArray(a)) return (a as Value[]).some((v) => equal(v, b));
  if (typeof a === 'string' || a === null) return (a ?? '').includes(textOf('contains', b));
  throw typeError('contains', a, b);
}

export function stringTest(op: 'startsWith' | 'endsWith' | 'matches', a: Value, b: Value): boolean {
  if ((typeof a !== 'string' && a !== null) || (typeof b !== 'string' && b !== null))
    throw typeError(op, a, b);
  const s = a ?? '';
  const t = b ?? '';
  if (op === 'startsWith') return s.startsWith(t);
  if (op === 'endsWith') return s.endsWith(t);
  return regex(t).test(s);
}

export function range(a: Value, b: Value): number[] {
  const [from, to] = num('..', a, b);
  if (!Number.isInteger(from) || !Number.isInteger(to)) throw typeError('..', a, b);
  if (to - from >= MAX_RANGE) throw new ExprError('evaluation_error', `range ${from}..${to} is too large`);
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

function textOf(op: string, v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || v === null) return v === null ? '' : renderValue(v);
  throw typeError(op, v);
}

function regex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      throw new ExprError('evaluation_error', `invalid regular expression ${JSON.stringify(pattern)}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}
