/**
 * Argument conversion for library functions. Functions are lenient as AliECS templates expect: nil reads as '',
 * numbers and booleans read as their text; lists, maps and functions where text is needed are type errors.
 */
import { renderValue } from '../expr/render.ts';
import { ExprError, ExprFunction, typeName } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';

/** Argument `index` of `fn` as text. */
export function textArg(fn: string, args: readonly Value[], index: number): string {
  const v = args[index] ?? null;
  if (typeof v === 'string') return v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return renderValue(v);
  throw new ExprError('type_error', `${fn}: argument ${index + 1} must be a string, got ${typeName(v)}`);
}

/** Argument `index` of `fn` as an integer (a number, or text of an integer). */
export function intArg(fn: string, args: readonly Value[], index: number): number {
  const v = args[index] ?? null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number(v);
  throw new ExprError('type_error', `${fn}: argument ${index + 1} must be an integer, got ${typeName(v)}`);
}

/** Throws unless `fn` got exactly `count` arguments. */
export function expectArgs(fn: string, args: readonly Value[], count: number): void {
  if (args.length !== count) {
    throw new ExprError('type_error', `${fn}: takes ${count} argument(s), got ${args.length}`);
  }
}

/** Go strconv.Atoi: optional sign and decimal digits only; undefined when `s` is not such a number. */
export function parseGoInt(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** An ExprFunction of fixed arity whose arguments are all text. */
export function textFunction(name: string, arity: number, f: (...texts: string[]) => Value): ExprFunction {
  return new ExprFunction(name, (...args) => {
    expectArgs(name, args, arity);
    return f(...args.map((_, i) => textArg(name, args, i)));
  });
}
