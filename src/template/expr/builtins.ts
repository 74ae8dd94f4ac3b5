/**
 * expr-lang builtin functions available by bare name: len, int, float, string, lower, upper, trim, split, join,
 * keys, values, abs, max, min, hasPrefix, hasSuffix, replace. A scope cannot override them when called.
 */
import { renderValue } from './render.ts';
import { ExprError, isValueMap, typeName } from './value.ts';
import type { Value, ValueMap } from './value.ts';

export type Builtin = (args: readonly Value[]) => Value;

function arity(name: string, args: readonly Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new ExprError('type_error', `${name}() takes ${expected} argument(s), got ${args.length}`);
  }
}

function invalid(name: string, v: Value): ExprError {
  return new ExprError('type_error', `invalid argument for ${name} (type ${typeName(v)})`);
}

function str(name: string, v: Value | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalid(name, v);
  return v;
}

function numbers(name: string, args: readonly Value[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as Value[]) : args;
  if (list.length === 0) throw new ExprError('type_error', `${name}() needs at least one number`);
  return list.map((v) => {
    if (typeof v !== 'number') throw invalid(name, v);
    return v;
  });
}

function mapArg(name: string, v: Value | undefined): ValueMap {
  if (v === undefined || !isValueMap(v)) throw invalid(name, v ?? null);
  return v;
}

/** Number of characters (code points) in a string. */
export function charCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)
      n--;
  }
  return n;
}

function len(args: readonly Value[]): Value {
  arity('len', args, 1);
  const v = args[0] ?? null;
  if (v === null) return 0;
  if (typeof v === 'string') return charCount(v);
  if (Array.isArray(v)) return v.length;
  if (isValueMap(v)) return Object.keys(v).length;
  throw invalid('len', v);
}

function toInt(args: readonly Value[]): Value {
  arity('int', args, 1);
  const v = args[0] ?? null;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number(v);
  if (typeof v === 'string')
    throw new ExprError('evaluation_error', `int: cannot parse ${JSON.stringify(v)}`);
  throw invalid('int', v);
}

function toFloat(args: readonly Value[]): Value {
  arity('float', args, 1);
  const v = args[0] ?? null;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === 'string')
    throw new ExprError('evaluation_error', `float: cannot parse ${JSON.stringify(v)}`);
  throw invalid('float', v);
}

function split(args: readonly Value[]): Value {
  arity('split', args, 2);
  const s = str('split', args[0]);
  const sep = str('split', args[1]);
  return sep === '' ? Array.from(s) : s.split(sep);
}

function join(args: readonly Value[]): Value {
  arity('join', args, 1, 2);
  const list = args[0] ?? null;
  if (!Array.isArray(list)) throw invalid('join', list);
  return (list as Value[]).map(renderValue).join(str('join', args[1]));
}

function trim(args: readonly Value[]): Value {
  arity('trim', args, 1, 2);
  const s = str('trim', args[0]);
  if (args.length === 1) return s.trim();
  const cut = new Set(Array.from(str('trim', args[1])));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && cut.has(chars[a]!)) a++;
  while (b > a && cut.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

function replace(args: readonly Value[]): Value {
  arity('replace', args, 3);
  const [s, old, by] = args.map((a) => str('replace', a)) as [string, string, string];
  if (old !== '') return s.split(old).join(by);
  return s === '' ? by : by + Array.from(s).join(by) + by;
}

function string1(name: string, f: (s: string) => string): Builtin {
  return (args) => {
    arity(name, args, 1);
    return f(str(name, args[0]));
  };
}

function string2(name: string, f: (s: string, t: string) => Value): Builtin {
  return (args) => {
    arity(name, args, 2);
    return f(str(name, args[0]), str(name, args[1]));
  };
}

const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['len', len],
  ['int', toInt],
  ['float', toFloat],
  ['string', (args) => (arity('string', args, 1), renderValue(args[0] ?? null))],
  ['lower', string1('lower', (s) => s.toLowerCase())],
  ['upper', string1('upper', (s) => s.toUpperCase())],
  ['trim', trim],
  ['split', split],
  ['join', join],
  ['keys', (args) => (arity('keys', args, 1), Object.keys(mapArg('keys', args[0])).sort())],
  ['values', (args) => (arity('values', args, 1), valuesOf(mapArg('values', args[0])))],
  ['abs', (args) => (arity('abs', args, 1), Math.abs(numbers('abs', args)[0]!))],
  ['max', (args) => Math.max(...numbers('max', args))],
  ['min', (args) => Math.min(...numbers('min', args))],
  ['hasPrefix', string2('hasPrefix', (s, t) => s.startsWith(t))],
  ['hasSuffix', string2('hasSuffix', (s, t) => s.endsWith(t))],
  ['replace', replace],
]);

function valuesOf(m: ValueMap): Value[] {
  return Object.keys(m)
    .sort()
    .map((k) => m[k] ?? null);
}

/** The builtin called `name`, if any. */
export function builtin(name: string): Builtin | undefined {
  return BUILTINS.get(name);
}
