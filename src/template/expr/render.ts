/**
 * Turning values into text the way AliECS does: `%v` for scalars, Go `encoding/json` for lists and maps.
 * One deliberate difference: nil renders as '' (Go's `%v` prints `<nil>`), so an unset variable leaves no trace.
 */
import { ExprError, ExprFunction } from './value.ts';
import type { Value, ValueMap } from './value.ts';

const MAX_JSON_DEPTH = 100;

/**
 * Text of a value: strings as-is, nil as '', booleans `true`/`false`, integers without decimals, floats in
 * shortest form (`1.5`, `10000000000`, `1e+21`), lists and maps as compact JSON with sorted map keys.
 * Throws ExprError('type_error') for a function.
 */
export function renderValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (v instanceof ExprFunction) {
    throw new ExprError('type_error', `cannot render function ${v.name} as text (missing call parentheses?)`);
  }
  return toJson(v);
}

/** Go `%v` of a float64: shortest round-trip digits, exponent with at least two digits, `+Inf`/`-Inf`/`NaN`. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (Object.is(n, -0)) return '0';
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * Go `json.Marshal` of a value: compact, map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
 * Throws ExprError for functions, non-finite numbers and nesting deeper than 100.
 */
export function toJson(v: Value): string {
  return encode(v, 0).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function encode(v: Value, depth: number): string {
  if (depth > MAX_JSON_DEPTH) throw new ExprError('evaluation_error', 'json: value nested too deeply');
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new ExprError('evaluation_error', `json: unsupported value ${formatNumber(v)}`);
    return JSON.stringify(v);
  }
  if (v instanceof ExprFunction) throw new ExprError('type_error', `json: cannot encode function ${v.name}`);
  if (Array.isArray(v)) return `[${(v as Value[]).map((x) => encode(x, depth + 1)).join(',')}]`;
  const m = v as ValueMap;
  const keys = Object.keys(m).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(m[k] ?? null, depth + 1)}`).join(',')}}`;
}

/** AliECS rule for `enabled` and similar flags: trimmed, case-insensitive `true` or `1`. */
export function isTruthyText(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t === 'true' || t === '1';
}
