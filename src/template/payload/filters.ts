/**
 * The filter table (`{{ x|name(args) }}` or pongo2's `{{ x|name:arg }}`): the common Jinja/pongo2 filters on
 * plain data. Filters never see or return anything but template values; a name outside this table does not parse.
 */
import { isValueMap, mapGet } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import type { Budget } from './budget.ts';
import { fail } from './errors.ts';
import { asNumber, chargeSize, encodeJson, iterable, keysOf, toText, truthy, typeName } from './values.ts';

type Filter = (v: Value, args: readonly Value[], budget: Budget) => Value;

const HTML: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function built(s: string, budget: Budget): string {
  budget.text(s.length);
  return s;
}

function list(v: Value, budget: Budget): readonly Value[] {
  const items = iterable(v, budget);
  budget.step(items.length);
  return items;
}

function unique(v: Value, budget: Budget): Value[] {
  const seen = new Set<string>();
  return list(v, budget).filter((x) => {
    const key = `${typeName(x)}:${encodeJson(x, budget)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Pieces of `s` split at `sep`, or its words (Python's `split()`) when absent; counted against the budget first.
 */
function split(s: string, sep: string | undefined, budget: Budget): string[] {
  const re = sep === undefined ? /\s+/g : new RegExp(sep === '' ? '' : escapeRegExp(sep), 'g');
  if (sep === '') budget.step(s.length);
  else for (let n = 0; re.exec(s) !== null; n++) budget.step();
  if (sep !== undefined) return s.split(sep);
  const words = s.trim();
  return words === '' ? [] : words.split(/\s+/);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function extreme(v: Value, budget: Budget, pick: (a: number, b: number) => number): number | null {
  const ns = numbers(v, budget);
  return ns.length === 0 ? null : ns.reduce((a, x) => pick(a, x));
}

function textOf(v: Value, budget: Budget): string {
  return toText(v, budget);
}

function length(v: Value): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isValueMap(v)) return keysOf(v).length;
  return 0;
}

function join(v: Value, args: readonly Value[], budget: Budget): string {
  const sep = textOf(args[0] ?? '', budget);
  const parts = list(v, budget).map((x) => textOf(x, budget));
  budget.text(parts.reduce((n, p) => n + p.length, 0) + sep.length * Math.max(0, parts.length - 1));
  return parts.join(sep);
}

function replace(v: Value, args: readonly Value[], budget: Budget): string {
  const s = textOf(v, budget);
  const from = textOf(args[0] ?? '', budget);
  const to = textOf(args[1] ?? '', budget);
  const max = args[2] === undefined || args[2] === null ? Infinity : (asNumber(args[2]) ?? Infinity);
  if (from === '') return s;
  let count = 0;
  for (let i = s.indexOf(from); i >= 0 && count < max; i = s.indexOf(from, i + from.length)) {
    count++;
    budget.step();
  }
  budget.text(s.length + count * (to.length - from.length));
  let out = '';
  let pos = 0;
  for (let k = 0; k < count; k++) {
    const i = s.indexOf(from, pos);
    out += s.slice(pos, i) + to;
    pos = i + from.length;
  }
  return out + s.slice(pos);
}

function toInt(v: Value, args: readonly Value[]): number {
  const n = asNumber(v);
  return n === undefined || !Number.isFinite(n) ? (asNumber(args[0] ?? 0) ?? 0) : Math.trunc(n);
}

function toFloat(v: Value, args: readonly Value[]): number {
  const n = asNumber(v);
  return n === undefined ? (asNumber(args[0] ?? 0) ?? 0) : n;
}

function sorted(v: Value, args: readonly Value[], budget: Budget): Value[] {
  const items = [...list(v, budget)];
  chargeSize(items, budget);
  const key = (x: Value) => (typeof x === 'number' ? x : textOf(x, budget));
  items.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return truthy(args[0] ?? false) ? items.reverse() : items;
}

function reverseText(s: string, budget: Budget): string {
  budget.step(s.length);
  return [...s].reverse().join('');
}

function numbers(v: Value, budget: Budget): number[] {
  return list(v, budget).map((x) => asNumber(x) ?? fail(`expected numbers, got ${typeName(x)}`));
}

function indent(v: Value, args: readonly Value[], budget: Budget): string {
  const width = asNumber(args[0] ?? 4) ?? 4;
  const pad = ' '.repeat(Math.max(0, Math.min(width, 1024)));
  const s = textOf(v, budget);
  const lines = s.split('\n');
  budget.text(s.length + pad.length * lines.length);
  return lines.map((l, i) => (i === 0 || l === '' ? l : pad + l)).join('\n');
}

const FILTERS = new Map<string, Filter>([
  ['default', (v, a) => (v === null || (truthy(a[1] ?? false) && !truthy(v)) ? (a[0] ?? '') : v)],
  ['default_if_none', (v, a) => (v === null ? (a[0] ?? '') : v)],
  ['upper', (v, _a, b) => textOf(v, b).toUpperCase()],
  ['lower', (v, _a, b) => textOf(v, b).toLowerCase()],
  ['capitalize', (v, _a, b) => ((s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase())(textOf(v, b))],
  ['title', (v, _a, b) => textOf(v, b).replace(/\b\w/g, (c) => c.toUpperCase())],
  ['trim', (v, _a, b) => textOf(v, b).trim()],
  ['length', (v) => length(v)],
  ['join', join],
  ['replace', replace],
  ['int', toInt],
  ['integer', toInt],
  ['float', toFloat],
  ['string', (v, _a, b) => textOf(v, b)],
  ['safe', (v) => v],
  [
    'escape',
    (v, _a, b) =>
      built(
        textOf(v, b).replace(/[&<>"']/g, (c) => HTML[c] ?? c),
        b,
      ),
  ],
  ['urlencode', (v, _a, b) => built(encodeURIComponent(textOf(v, b)), b)],
  ['first', (v, _a, b) => (typeof v === 'string' ? v.charAt(0) : (iterable(v, b)[0] ?? null))],
  ['last', (v, _a, b) => (typeof v === 'string' ? v.charAt(v.length - 1) : (iterable(v, b).at(-1) ?? null))],
  ['list', (v, _a, b) => [...list(v, b)]],
  ['sort', sorted],
  ['reverse', (v, _a, b) => (typeof v === 'string' ? reverseText(v, b) : [...list(v, b)].reverse())],
  ['unique', (v, _a, b) => unique(v, b)],
  ['abs', (v) => Math.abs(asNumber(v) ?? fail(`abs of ${typeName(v)}`))],
  [
    'round',
    (v, a) => ((n, p) => Math.round(n * 10 ** p) / 10 ** p)(asNumber(v) ?? 0, asNumber(a[0] ?? 0) ?? 0),
  ],
  ['sum', (v, _a, b) => numbers(v, b).reduce((s, n) => s + n, 0)],
  ['min', (v, _a, b) => extreme(v, b, Math.min)],
  ['max', (v, _a, b) => extreme(v, b, Math.max)],
  ['split', (v, a, b) => split(textOf(v, b), a[0] === undefined ? undefined : textOf(a[0], b), b)],
  ['tojson', (v, _a, b) => encodeJson(v, b)],
  ['indent', indent],
  ['keys', (v) => (isValueMap(v) ? keysOf(v) : [])],
  ['items', (v) => (isValueMap(v) ? keysOf(v).map((k) => [k, mapGet(v, k) ?? null]) : [])],
  ['dictsort', (v) => (isValueMap(v) ? [...keysOf(v)].sort().map((k) => [k, mapGet(v, k) ?? null]) : [])],
  [
    'yesno',
    (v, a, b) =>
      ((w) => (v === null ? (w[2] ?? w[1]) : truthy(v) ? w[0] : w[1]) ?? '')(
        textOf(a[0] ?? 'yes,no,maybe', b).split(','),
      ),
  ],
]);
FILTERS.set('d', FILTERS.get('default') as Filter);
FILTERS.set('e', FILTERS.get('escape') as Filter);
FILTERS.set('count', FILTERS.get('length') as Filter);
FILTERS.set('dump', FILTERS.get('tojson') as Filter);

/** True when `name` is a filter of the table. */
export function isFilter(name: string): boolean {
  return FILTERS.has(name);
}

/** Applies the filter `name` (which parsed, so exists). */
export function applyFilter(name: string, v: Value, args: readonly Value[], budget: Budget): Value {
  const f = FILTERS.get(name) ?? fail(`unknown filter "${name}"`);
  budget.step();
  budget.scan(v);
  for (const a of args) budget.scan(a);
  if (isValueMap(v)) budget.step(keysOf(v).length); // map filters walk all keys
  const out = f(v, args, budget);
  if (typeof out === 'string') budget.text(out.length);
  return out;
}
