/**
 * Evaluation of expressions. Names resolve only in the render's own scope (set/loop variables, the whitelisted
 * helpers, the var stack); calls reach only ExprFunctions of that whitelist; every node costs a budget step.
 */
import { ExprError, ExprFunction, isValueMap, mapGet } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import type { Expr } from './ast.ts';
import type { Budget } from './budget.ts';
import { EvalFailure, fail } from './errors.ts';
import { applyFilter } from './filters.ts';
import { asNumber, chargeSize, equals, index, member, newMap, toText, truthy, typeName } from './values.ts';

export interface EvalContext {
  readonly budget: Budget;
  /** The value bound to `name`, or undefined when nothing is. */
  lookup(name: string): Value | undefined;
}

export function evaluate(e: Expr, ctx: EvalContext): Value {
  ctx.budget.step();
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'name':
      return ctx.lookup(e.name) ?? null;
    case 'list':
      return e.items.map((x) => evaluate(x, ctx));
    case 'dict':
      return newMap(
        e.entries.map(([k, v]) => [toText(evaluate(k, ctx), ctx.budget), evaluate(v, ctx)] as const),
      );
    case 'member':
      return member(evaluate(e.target, ctx), e.key);
    case 'index':
      return index(evaluate(e.target, ctx), evaluate(e.index, ctx));
    case 'call':
      return call(e.callee, e.args, ctx);
    case 'filter':
      return applyFilter(
        e.name,
        evaluate(e.target, ctx),
        e.args.map((a) => evaluate(a, ctx)),
        ctx.budget,
      );
    case 'unary':
      return unary(e.op, evaluate(e.operand, ctx), ctx.budget);
    case 'binary':
      return binary(e.op, e.left, e.right, ctx);
    case 'cond':
      if (truthy(evaluate(e.test, ctx))) return evaluate(e.then, ctx);
      return e.else === null ? null : evaluate(e.else, ctx);
  }
}

/** `a.b.c` for messages; other callees are shown as "expression". */
function describe(e: Expr): string {
  if (e.kind === 'name') return e.name;
  if (e.kind === 'member') return `${describe(e.target)}.${e.key}`;
  return 'expression';
}

function call(callee: Expr, argExprs: readonly Expr[], ctx: EvalContext): Value {
  const fn = evaluate(callee, ctx);
  if (!(fn instanceof ExprFunction)) {
    const what = fn === null ? 'undefined' : `a ${typeName(fn)}, not a helper function`;
    return fail(`Unable to call \`${describe(callee)}\`, which is ${what}`);
  }
  const args = argExprs.map((a) => evaluate(a, ctx));
  for (const a of args) chargeSize(a, ctx.budget);
  try {
    const out = fn.fn(...args);
    if (typeof out === 'string') ctx.budget.text(out.length);
    return out;
  } catch (e) {
    if (e instanceof EvalFailure) throw e;
    if (e instanceof ExprError) fail(e.message);
    return fail(`${fn.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function unary(op: string, v: Value, budget: Budget): Value {
  if (op === 'not') return !truthy(v);
  if (op.startsWith('is ')) return isTest(op.slice(3), v);
  budget.scan(v);
  const n = asNumber(v) ?? fail(`bad operand for unary ${op}: ${typeName(v)}`);
  return op === '-' ? -n : n;
}

/** Jinja tests; an undefined variable is nil here, so `defined` means "not nil". */
function isTest(test: string, v: Value): boolean {
  switch (test) {
    case 'defined':
      return v !== null;
    case 'undefined':
    case 'none':
      return v === null;
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    default:
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v % 2) === (test === 'odd' ? 1 : 0);
  }
}

function binary(op: string, l: Expr, r: Expr, ctx: EvalContext): Value {
  if (op === 'and') {
    const a = evaluate(l, ctx);
    return truthy(a) ? evaluate(r, ctx) : a;
  }
  if (op === 'or') {
    const a = evaluate(l, ctx);
    return truthy(a) ? a : evaluate(r, ctx);
  }
  const a = evaluate(l, ctx);
  const b = evaluate(r, ctx);
  ctx.budget.scan(a);
  ctx.budget.scan(b);
  switch (op) {
    case '==':
      return equals(a, b, ctx.budget);
    case '!=':
      return !equals(a, b, ctx.budget);
    case 'in':
      return contains(b, a, ctx.budget);
    case 'not in':
      return !contains(b, a, ctx.budget);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(op, a, b);
    case '~':
      return concat(toText(a, ctx.budget), toText(b, ctx.budget), ctx.budget);
    case '+':
      return add(a, b, ctx.budget);
    case '*':
      return multiply(a, b, ctx.budget);
    default:
      return arithmetic(op, a, b);
  }
}

function concat(a: string, b: string, budget: Budget): string {
  budget.text(a.length + b.length);
  return a + b;
}

function add(a: Value, b: Value, budget: Budget): Value {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) {
    budget.step(a.length + b.length);
    return [...(a as Value[]), ...(b as Value[])];
  }
  if (typeof a === 'string' || typeof b === 'string')
    return concat(toText(a, budget), toText(b, budget), budget);
  return fail(`cannot add ${typeName(a)} and ${typeName(b)}`);
}

function multiply(a: Value, b: Value, budget: Budget): Value {
  const [text, times] =
    typeof a === 'string' ? [a, b] : typeof b === 'string' ? [b, a] : [undefined, undefined];
  if (text !== undefined && typeof times === 'number' && Number.isInteger(times)) {
    budget.text(text.length * Math.max(0, times));
    return text.repeat(Math.max(0, times));
  }
  return arithmetic('*', a, b);
}

function arithmetic(op: string, a: Value, b: Value): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === undefined || y === undefined) fail(`cannot apply "${op}" to ${typeName(a)} and ${typeName(b)}`);
  if ((op === '/' || op === '//' || op === '%') && y === 0) fail('division by zero');
  switch (op) {
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '//':
      return Math.floor(x / y);
    default:
      return x - y * Math.floor(x / y);
  }
}

function compare(op: string, a: Value, b: Value): boolean {
  const both = typeof a === 'string' && typeof b === 'string';
  const x = both ? a : asNumber(a);
  const y = both ? b : asNumber(b);
  if (x === undefined || y === undefined) fail(`cannot compare ${typeName(a)} and ${typeName(b)}`);
  if (op === '<') return x < y;
  if (op === '>') return x > y;
  return op === '<=' ? x <= y : x >= y;
}

/** `needle in haystack`: list item, substring, own map key; false for anything else (nil included). */
function contains(haystack: Value, needle: Value, budget: Budget): boolean {
  if (typeof haystack === 'string') return haystack.includes(toText(needle, budget));
  if (Array.isArray(haystack)) {
    budget.step(haystack.length);
    return (haystack as readonly Value[]).some((x) => equals(x, needle, budget));
  }
  if (isValueMap(haystack)) return typeof needle === 'string' && mapGet(haystack, needle) !== undefined;
  return false;
}
