/**
 * The `json` namespace: Unmarshal/Deserialize (text → value), Marshal/Serialize (value → Go-style JSON text),
 * Sort (list → sorted list of the items' text). As in AliECS, Unmarshal of invalid JSON yields nil, so
 * `'TPC' in json.Unmarshal(detectors)` is simply false while `detectors` is not set yet.
 */
import { renderValue, toJson } from '../expr/render.ts';
import { ExprFunction } from '../expr/value.ts';
import type { Value, ValueMap } from '../expr/value.ts';
import { expectArgs, textFunction } from './args.ts';

/** Parsed JSON text, or nil when it is not valid JSON. */
export function parseJsonValue(text: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch {
    return null;
  }
}

const unmarshal = textFunction('json.Unmarshal', 1, parseJsonValue);

const marshal = new ExprFunction('json.Marshal', (...args) => {
  expectArgs('json.Marshal', args, 1);
  return toJson(args[0] ?? null);
});

const sort = new ExprFunction('json.Sort', (...args) => {
  expectArgs('json.Sort', args, 1);
  const v = args[0] ?? null;
  if (!Array.isArray(v)) return v;
  return (v as Value[]).map(renderValue).sort();
});

/** A fresh `json` namespace. */
export function jsonNamespace(): ValueMap {
  return { Unmarshal: unmarshal, Deserialize: unmarshal, Marshal: marshal, Serialize: marshal, Sort: sort };
}
