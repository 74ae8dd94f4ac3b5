/**
 * @module template/functions
 * The AliECS template function library for `{{ }}` expressions.
 *
 * @example
 * const library = createFunctionLibrary({ config, newUid });
 * const fns = library(varView); // per role and stage
 * const scope = { get: (n) => fns[n] ?? varView.get(n) };
 */
export { createFunctionLibrary } from './library.ts';
export type { FunctionLibrary, FunctionLibraryDeps } from './library.ts';
export type { ConfigErrorMode } from './config.ts';
export type { DumpFile } from './util.ts';
export type { VarSource } from './var-source.ts';
export { newUid } from './uid.ts';
export { isFalsyWord, isTruthyWord } from './strings.ts';
