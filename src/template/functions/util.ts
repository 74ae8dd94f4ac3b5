/**
 * The `util` namespace: PrefixedOverride, Dump, Nullable, SuffixInRange. PrefixedOverride reads the variables of
 * the evaluation context, so the namespace is built per variable source.
 */
import { renderValue } from '../expr/render.ts';
import { ExprFunction } from '../expr/value.ts';
import type { ValueMap } from '../expr/value.ts';
import { expectArgs, parseGoInt, textFunction } from './args.ts';
import type { VarSource } from './var-source.ts';

/** Writes debugging output; failures are ignored as in AliECS (which only logs them). */
export type DumpFile = (path: string, text: string) => void;

function isSet(v: string | undefined): v is string {
  return v !== undefined && v !== 'none' && v.trim() !== '';
}

/** `<prefix>_<name>` unless unset, empty or "none"; else `<name>` under the same rule; else ''. */
export function prefixedOverride(vars: VarSource, name: string, prefix: string): string {
  const prefixed = vars.get(`${prefix}_${name}`);
  if (isSet(prefixed)) return prefixed;
  const plain = vars.get(name);
  return isSet(plain) ? plain : '';
}

/** "true" when `input` is `prefix` followed by an integer within [min, max], else "false". */
export function suffixInRange(input: string, prefix: string, min: string, max: string): string {
  if (!input.startsWith(prefix) || prefix === '') return 'false';
  const id = parseGoInt(input.slice(prefix.length));
  const lo = parseGoInt(min);
  const hi = parseGoInt(max);
  if (id === undefined || lo === undefined || hi === undefined) return 'false';
  return id >= lo && id <= hi ? 'true' : 'false';
}

/** util.Dump(text, path): hands the text to `sink` (if any) and returns it. */
export function dumpFunction(sink: DumpFile | undefined): ExprFunction {
  return textFunction('util.Dump', 2, (text, path) => {
    try {
      sink?.(path, text);
    } catch {
      // AliECS only logs a failed dump; the template still gets the text.
    }
    return text;
  });
}

const nullable = new ExprFunction('util.Nullable', (...args) => {
  expectArgs('util.Nullable', args, 1);
  return renderValue(args[0] ?? null);
});

const inRange = textFunction('util.SuffixInRange', 4, suffixInRange);

/** The `util` namespace over `vars`; `dump` comes from dumpFunction. */
export function utilNamespace(vars: VarSource, dump: ExprFunction): ValueMap {
  return {
    PrefixedOverride: textFunction('util.PrefixedOverride', 2, (name, prefix) =>
      prefixedOverride(vars, name, prefix),
    ),
    Dump: dump,
    Nullable: nullable,
    SuffixInRange: inRange,
  };
}
