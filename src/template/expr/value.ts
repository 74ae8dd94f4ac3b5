/**
 * The value model of template expressions, and the errors evaluation can raise.
 * AliECS variables are all strings; expressions also see numbers, booleans, lists, maps (namespaces such as
 * `strings`) and functions.
 */

/** Any value an expression can produce or read. `null` is expr-lang's `nil`. */
export type Value = null | string | number | boolean | readonly Value[] | ValueMap | ExprFunction;

/** A map value (plain object; only own properties are members). Namespaces are maps of ExprFunctions. */
export interface ValueMap {
  readonly [key: string]: Value;
}

/** A function callable from expressions. `name` is used in error messages (e.g. `strings.Atoi`). */
export class ExprFunction {
  constructor(
    readonly name: string,
    readonly fn: (...args: Value[]) => Value,
  ) {}
}

/** Where identifiers are looked up. `undefined` means "not defined", which evaluates to nil. */
export interface Scope {
  get(name: string): Value | undefined;
  /** Longest string (and list) evaluation may build, in characters (elements); default DEFAULT_MAX_TEXT. */
  readonly maxText?: number | undefined;
  /**
   * Told each time an evaluated identifier is not defined (it then evaluates to nil), except where the expression
   * tests definedness itself (`x ?? y`, `x == nil`, `x != nil`) or calls it. A collector for warnings; optional.
   */
  undefinedName?(name: string): void;
}

/** Default of Scope.maxText: 1 MiB of text. */
export const DEFAULT_MAX_TEXT = 1024 * 1024;

export type ExprErrorCode = 'unknown_function' | 'type_error' | 'evaluation_error' | 'limit_exceeded';

/** An expression could not be evaluated. `expression` is the source text, when known. */
export class ExprError extends Error {
  override readonly name = 'ExprError';
  expression?: string;
  constructor(
    readonly code: ExprErrorCode,
    message: string,
    expression?: string,
  ) {
    super(message);
    if (expression !== undefined) this.expression = expression;
  }
}

/** An expression does not parse. `offset` is 0-based in `expression`. */
export class ExprSyntaxError extends Error {
  override readonly name = 'ExprSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
    readonly expression: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by a function that cannot produce its value yet (the workflow engine retries in a second pass).
 * Evaluation lets it through unchanged, never wrapping it into an ExprError.
 */
export class DeferredSignal extends Error {
  override readonly name = 'DeferredSignal';
  constructor() {
    super('evaluation deferred');
  }
}

/** True for map values (plain objects that are neither lists nor functions). */
export function isValueMap(v: Value): v is ValueMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ExprFunction);
}

/** expr-lang-like type name used in messages: nil, string, int, float, bool, array, map, func. */
export function typeName(v: Value): string {
  if (v === null) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return v instanceof ExprFunction ? 'func' : 'map';
}

/** Own-property lookup in a map value; `undefined` when the key is absent. */
export function mapGet(m: ValueMap, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

/** A Scope over a plain record (own properties only). */
export function recordScope(record: Readonly<Record<string, Value>>): Scope {
  return { get: (name) => mapGet(record, name) };
}

/**
 * Throws a limit_exceeded ExprError when a result of `length` characters (elements) would pass the scope's limit.
 * Called before the result is built, so a doubling template fails at the limit instead of exhausting memory.
 */
export function checkSize(scope: Scope, length: number, what = 'string'): void {
  const max = scope.maxText ?? DEFAULT_MAX_TEXT;
  if (length > max)
    throw new ExprError(
      'limit_exceeded',
      `${what} of ${length} characters exceeds the limit of ${max} characters per rendered value (maxTextLength)`,
    );
}
