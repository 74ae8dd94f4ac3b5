/**
 * Expression parser (Jinja precedence): inline `a if c else b`, or/||, and/&&, not/!, comparisons and `in`,
 * `+ - ~`, `* / // %`, unary `-`, then postfix member, index, call and `|filter(args)` / `|filter:arg`.
 */
import type { Expr } from './ast.ts';
import { isFilter } from './filters.ts';
import { show } from './token-stream.ts';
import type { TokenStream } from './token-stream.ts';

const CONSTANTS: Readonly<Record<string, boolean | null>> = {
  true: true,
  True: true,
  false: false,
  False: false,
  none: null,
  None: null,
  nil: null,
};
const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

export function parseExpr(s: TokenStream): Expr {
  return s.nested(() => parseConditional(s));
}

function parseConditional(s: TokenStream): Expr {
  const value = parseOr(s);
  const line = s.peek().line;
  if (!s.accept('if')) return value;
  const test = parseOr(s);
  const otherwise = s.accept('else') ? parseExpr(s) : null;
  return { kind: 'cond', line, test, then: value, else: otherwise };
}

function binaryLevel(
  ops: readonly string[],
  operand: (s: TokenStream) => Expr,
  alias: Readonly<Record<string, string>> = {},
) {
  return (s: TokenStream): Expr => {
    let left = operand(s);
    for (;;) {
      const t = s.peek();
      const isOp = (t.type === 'op' || t.type === 'name') && ops.includes(t.value);
      if (!isOp) return left;
      s.next();
      const right = operand(s);
      left = { kind: 'binary', line: t.line, op: alias[t.value] ?? t.value, left, right };
    }
  };
}

function parseNot(s: TokenStream): Expr {
  const t = s.peek();
  if ((t.type === 'name' && t.value === 'not') || (t.type === 'op' && t.value === '!')) {
    s.next();
    return { kind: 'unary', line: t.line, op: 'not', operand: s.nested(() => parseNot(s)) };
  }
  return parseCompare(s);
}

const parseAnd = binaryLevel(['and', '&&'], parseNot, { '&&': 'and' });
const parseOr = binaryLevel(['or', '||'], parseAnd, { '||': 'or' });

function parseCompare(s: TokenStream): Expr {
  let left = parseAdd(s);
  for (;;) {
    const t = s.peek();
    let op: string | undefined;
    if (t.type === 'op' && COMPARE.has(t.value)) op = t.value;
    else if (t.type === 'name' && t.value === 'in') op = 'in';
    else if (t.type === 'name' && t.value === 'not' && s.peek(1).value === 'in') op = 'not in';
    else if (t.type === 'name' && t.value === 'is') {
      left = parseTest(s, left);
      continue;
    }
    if (op === undefined) return left;
    s.next();
    if (op === 'not in') s.next();
    left = { kind: 'binary', line: t.line, op, left, right: parseAdd(s) };
  }
}

const TESTS = new Set(['defined', 'undefined', 'none', 'string', 'number', 'odd', 'even']);

/** `x is [not] test`: a unary `is <test>`, wrapped in `not` when negated. */
function parseTest(s: TokenStream, operand: Expr): Expr {
  const is = s.next();
  const negated = s.accept('not');
  const name = s.expect('name');
  if (!TESTS.has(name.value)) s.fail(name, `unknown test "${name.value}"`);
  const test: Expr = { kind: 'unary', line: is.line, op: `is ${name.value}`, operand };
  return negated ? { kind: 'unary', line: is.line, op: 'not', operand: test } : test;
}

function parseUnary(s: TokenStream): Expr {
  const t = s.peek();
  if (t.type === 'op' && (t.value === '-' || t.value === '+')) {
    s.next();
    return { kind: 'unary', line: t.line, op: t.value, operand: s.nested(() => parseUnary(s)) };
  }
  return parsePostfix(s, true);
}

const parseMul = binaryLevel(['*', '/', '//', '%'], parseUnary);
const parseAdd = binaryLevel(['+', '-', '~'], parseMul);

function parsePostfix(s: TokenStream, filters: boolean): Expr {
  let e = parsePrimary(s);
  for (;;) {
    const t = s.peek();
    if (t.type !== 'op') return e;
    if (t.value === '.') {
      s.next();
      const key = s.next();
      if (key.type !== 'name' && key.type !== 'number')
        s.fail(key, `unexpected token ${show(key)} after "."`);
      e = { kind: 'member', line: t.line, target: e, key: key.value };
    } else if (t.value === '[') {
      s.next();
      e = { kind: 'index', line: t.line, target: e, index: parseExpr(s) };
      s.expect('op', ']');
    } else if (t.value === '(') {
      s.next();
      e = { kind: 'call', line: t.line, callee: e, args: parseList(s, ')') };
    } else if (t.value === '|' && filters) {
      s.next();
      e = parseFilter(s, e);
    } else return e;
  }
}

function parseFilter(s: TokenStream, target: Expr): Expr {
  const name = s.expect('name');
  if (!isFilter(name.value)) s.fail(name, `unknown filter "${name.value}"`);
  let args: Expr[] = [];
  if (s.accept('(')) args = parseList(s, ')');
  else if (s.accept(':')) args = [parsePostfix(s, false)];
  return { kind: 'filter', line: name.line, name: name.value, target, args };
}

/** Comma-separated expressions up to `close` (consumed); a trailing comma is allowed. */
function parseList(s: TokenStream, close: string): Expr[] {
  const items: Expr[] = [];
  while (!s.accept(close)) {
    items.push(parseExpr(s));
    if (!s.accept(',')) {
      s.expect('op', close);
      break;
    }
  }
  return items;
}

function parsePrimary(s: TokenStream): Expr {
  const t = s.next();
  const line = t.line;
  if (t.type === 'string') return { kind: 'literal', line, value: t.value };
  if (t.type === 'number') return { kind: 'literal', line, value: Number(t.value) };
  if (t.type === 'name') {
    if (Object.prototype.hasOwnProperty.call(CONSTANTS, t.value)) {
      return { kind: 'literal', line, value: CONSTANTS[t.value] ?? null };
    }
    return { kind: 'name', line, name: t.value };
  }
  if (t.type === 'op' && t.value === '(') {
    const inner = parseExpr(s);
    s.expect('op', ')');
    return inner;
  }
  if (t.type === 'op' && t.value === '[') return { kind: 'list', line, items: parseList(s, ']') };
  if (t.type === 'op' && t.value === '{') return parseDict(s, line);
  return s.fail(t, `unexpected token ${show(t)}`);
}

function parseDict(s: TokenStream, line: number): Expr {
  const entries: (readonly [Expr, Expr])[] = [];
  while (!s.accept('}')) {
    const key = parseExpr(s);
    s.expect('op', ':');
    entries.push([key, parseExpr(s)]);
    if (!s.accept(',')) {
      s.expect('op', '}');
      break;
    }
  }
  return { kind: 'dict', line, entries };
}
