/**
 * Test helpers: a map-backed VarSource and a scope over a library plus variables (functions shadow variables).
 */
import { compileExpression } from '../expr/compile.ts';
import type { Scope, Value } from '../expr/value.ts';
import { createFunctionLibrary } from './library.ts';
import type { FunctionLibraryDeps } from './library.ts';
import type { VarSource } from './var-source.ts';

export function varSource(vars: Readonly<Record<string, string>>): VarSource {
  const map = new Map(Object.entries(vars));
  return { get: (n) => map.get(n), toRecord: () => Object.fromEntries(map) };
}

export function libraryScope(
  vars: Readonly<Record<string, string>> = {},
  deps: Partial<FunctionLibraryDeps> = {},
): Scope {
  const source = varSource(vars);
  const fns = createFunctionLibrary({ newUid: () => '2oDvieFrVTi', ...deps })(source);
  return { get: (n) => fns[n] ?? source.get(n) };
}

/** Evaluates `src` against the library and `vars`. */
export function evalWith(
  src: string,
  vars: Readonly<Record<string, string>> = {},
  deps: Partial<FunctionLibraryDeps> = {},
): Value {
  return compileExpression(src).evaluate(libraryScope(vars, deps));
}
