/**
 * The `strings` namespace: Atoi, Itoa, TrimQuotes, TrimSpace, ToUpper, ToLower, IsTruthy, IsFalsy.
 * As in AliECS, Atoi of text that is not an integer yields 0 rather than an error.
 */
import { formatNumber } from '../expr/render.ts';
import { ExprError, ExprFunction, typeName } from '../expr/value.ts';
import type { ValueMap } from '../expr/value.ts';
import { expectArgs, parseGoInt, textFunction } from './args.ts';

const TRUTHY = new Set(['true', 'yes', 'y', '1', 'on', 'ok']);
const FALSY = new Set(['', 'false', 'no', 'n', '0', 'off', 'none']);

/** AliECS IsTruthy: trimmed, case-insensitive true/yes/y/1/on/ok. */
export function isTruthyWord(s: string): boolean {
  return TRUTHY.has(s.trim().toLowerCase());
}

/** AliECS IsFalsy: trimmed, case-insensitive empty/false/no/n/0/off/none. */
export function isFalsyWord(s: string): boolean {
  return FALSY.has(s.trim().toLowerCase());
}

/** `s` without leading and trailing `"` (a loop: the regex /"+$/ is quadratic on long runs of quotes). */
function trimQuotes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s[start] === '"') start++;
  while (end > start && s[end - 1] === '"') end--;
  return s.slice(start, end);
}

const itoa = new ExprFunction('strings.Itoa', (...args) => {
  expectArgs('strings.Itoa', args, 1);
  const v = args[0] ?? null;
  if (typeof v === 'number' && Number.isInteger(v)) return formatNumber(v);
  throw new ExprError('type_error', `strings.Itoa: argument 1 must be an integer, got ${typeName(v)}`);
});

/** A fresh `strings` namespace. */
export function stringsNamespace(): ValueMap {
  return {
    Atoi: textFunction('strings.Atoi', 1, (s) => parseGoInt(s) ?? 0),
    Itoa: itoa,
    TrimQuotes: textFunction('strings.TrimQuotes', 1, trimQuotes),
    TrimSpace: textFunction('strings.TrimSpace', 1, (s) => s.trim()),
    ToUpper: textFunction('strings.ToUpper', 1, (s) => s.toUpperCase()),
    ToLower: textFunction('strings.ToLower', 1, (s) => s.toLowerCase()),
    IsTruthy: textFunction('strings.IsTruthy', 1, isTruthyWord),
    IsFalsy: textFunction('strings.IsFalsy', 1, isFalsyWord),
  };
}
