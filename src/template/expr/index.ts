/**
 * @module template/expr
 * The expr-lang expression language of AliECS templates (`{{ expression }}`): lexer, Pratt parser, closure
 * compiler, AliECS-flavoured semantics and rendering to text.
 *
 * @example
 * const e = compileExpression("len(x) > 0 ? a : 'none'");
 * renderValue(e.evaluate(recordScope({ x: 'y', a: 'A' }))); // 'A'
 */
export { compileExpression } from './compile.ts';
export type { CompiledExpression } from './compile.ts';
export { renderValue, formatNumber, toJson, isTruthyText } from './render.ts';
export {
  DeferredSignal,
  ExprError,
  ExprFunction,
  ExprSyntaxError,
  isValueMap,
  mapGet,
  recordScope,
  typeName,
} from './value.ts';
export type { ExprErrorCode, Scope, Value, ValueMap } from './value.ts';
