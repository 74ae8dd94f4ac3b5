/**
 * Compiles a parsed expression into a tree of small closures (one per syntax node), so evaluation walks the tree
 * without re-parsing or re-dispatching on node kinds. No `eval`/`Function` is involved.
 */
import { fetch, slice } from './access.ts';
import { calleeName } from './ast.ts';
import type { BinaryOperator, Node } from './ast.ts';
import { builtin } from './builtins.ts';
import {
  add,
  arithmetic,
  compare,
  contains,
  equal,
  isIn,
  negate,
  not,
  range,
  stringTest,
} from './operators.ts';
import { parseExpression } from './parser.ts';
import {
  checkSize,
  DeferredSignal,
  ExprError,
  ExprFunction,
  ExprSyntaxError,
  isValueMap,
  mapGet,
  typeName,
} from './value.ts';
import type { Scope, Value } from './value.ts';

/** A parsed expression ready to evaluate any number of times. */
export interface CompiledExpression {
  readonly source: string;
  /** Throws ExprError (with `expression` set) or DeferredSignal. */
  evaluate(scope: Scope): Value;
}

type Eval = (scope: Scope) => Value;

const MAX_DEPTH = 400;
/** Thrown by `?.` on nil and caught by the enclosing chain node (one shared instance, never escapes). */
const SHORT_CIRCUIT = new Error('optional chain short circuit');

/** Parses and compiles `source`. Throws ExprSyntaxError. */
export function compileExpression(source: string): CompiledExpression {
  const run = new Compiler(source).node(parseExpression(source), 0);
  return {
    source,
    evaluate(scope: Scope): Value {
      try {
        return run(scope);
      } catch (e) {
        throw annotate(e, source);
      }
    },
  };
}

function annotate(e: unknown, source: string): unknown {
  if (e instanceof DeferredSignal) return e;
  const err = e instanceof ExprError ? e : new ExprError('evaluation_error', `internal error: ${String(e)}`);
  err.expression ??= source;
  return err;
}

class Compiler {
  constructor(private readonly source: string) {}

  node(n: Node, depth: number): Eval {
    if (depth > MAX_DEPTH)
      throw new ExprSyntaxError('expression is nested too deeply', n.offset, this.source);
    const d = depth + 1;
    switch (n.kind) {
      case 'literal': {
        const v = n.value;
        return () => v;
      }
      case 'ident':
        return ident(n.name, true);
      case 'array': {
        const items = n.items.map((i) => this.node(i, d));
        return (s) => items.map((f) => f(s));
      }
      case 'map': {
        const entries = n.entries.map((e) => [e.key, this.node(e.value, d)] as const);
        return (s) => {
          const m = Object.create(null) as Record<string, Value>;
          for (const [k, f] of entries) m[k] = f(s);
          return m;
        };
      }
      case 'unary': {
        const f = this.node(n.operand, d);
        const op = n.op;
        return op === '!' ? (s) => not(f(s)) : (s) => negate(op, f(s));
      }
      case 'binary': {
        const [quietLeft, quietRight] = definednessTest(n.op, n.left, n.right);
        const left = quietLeft ? ident((n.left as { name: string }).name, false) : this.node(n.left, d);
        const right = quietRight ? ident((n.right as { name: string }).name, false) : this.node(n.right, d);
        return this.binary(n.op, left, right, n.right);
      }
      case 'conditional':
        return conditional(this.node(n.test, d), this.node(n.then, d), this.node(n.otherwise, d));
      case 'member': {
        const obj = this.node(n.object, d);
        const key = this.node(n.property, d);
        if (!n.optional) return (s) => fetch(obj(s), key(s));
        return (s) => {
          const o = obj(s);
          if (o === null) throw SHORT_CIRCUIT;
          return fetch(o, key(s));
        };
      }
      case 'slice': {
        const obj = this.node(n.object, d);
        const from = n.from === undefined ? undefined : this.node(n.from, d);
        const to = n.to === undefined ? undefined : this.node(n.to, d);
        return (s) => slice(obj(s), from?.(s), to?.(s));
      }
      case 'call':
        return this.call(n.callee, n.args, d);
      case 'chain': {
        const body = this.node(n.body, d);
        return (s) => {
          try {
            return body(s);
          } catch (e) {
            if (e === SHORT_CIRCUIT) return null;
            throw e;
          }
        };
      }
    }
  }

  private binary(op: BinaryOperator, l: Eval, r: Eval, rightNode: Node): Eval {
    switch (op) {
      case '&&':
        return (s) => (bool('&&', l(s)) ? bool('&&', r(s)) : false);
      case '||':
        return (s) => (bool('||', l(s)) ? true : bool('||', r(s)));
      case '??':
        return (s) => l(s) ?? r(s);
      case '==':
      case '!=': {
        const lit =
          rightNode.kind === 'literal' && typeof rightNode.value !== 'object' ? rightNode.value : undefined;
        const eq: (s: Scope) => boolean = lit === undefined ? (s) => equal(l(s), r(s)) : (s) => l(s) === lit;
        return op === '==' ? eq : (s) => !eq(s);
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return (s) => compare(op, l(s), r(s));
      case '+':
        return (s) => add(l(s), r(s), s);
      case '-':
      case '*':
      case '/':
      case '%':
      case '**':
        return (s) => arithmetic(op, l(s), r(s));
      case '..':
        return (s) => range(l(s), r(s));
      case 'in':
        return (s) => isIn(l(s), r(s));
      case 'contains':
        return (s) => contains(l(s), r(s));
      case 'startsWith':
      case 'endsWith':
      case 'matches':
        return (s) => stringTest(op, l(s), r(s));
      case 'not in':
      case 'not contains':
      case 'not startsWith':
      case 'not endsWith':
      case 'not matches': {
        const positive = this.binary(op.slice(4) as BinaryOperator, l, r, rightNode);
        return (s) => !(positive(s) as boolean);
      }
    }
  }

  private call(callee: Node, argNodes: readonly Node[], depth: number): Eval {
    const args = argNodes.map((a) => this.node(a, depth));
    const name = calleeName(callee) ?? 'expression';
    const fixed = callee.kind === 'ident' ? builtin(callee.name) : undefined;
    if (fixed !== undefined) return (s) => sized(s, fixed(args.map((f) => f(s))));
    const resolve = this.callee(callee, name, depth);
    return (s) =>
      sized(
        s,
        invoke(
          name,
          resolve(s),
          args.map((f) => f(s)),
        ),
      );
  }

  /** Evaluates a callee; a missing name or a member of a missing namespace is an unknown function. */
  private callee(callee: Node, name: string, depth: number): Eval {
    if (callee.kind === 'ident') return ident(callee.name, false);
    if (callee.kind !== 'member' || callee.optional) return this.node(callee, depth);
    const obj = this.node(callee.object, depth);
    const key = this.node(callee.property, depth);
    return (s) => {
      const o = obj(s);
      const k = key(s);
      if (o === null) throw unknownFunction(name);
      if (isValueMap(o) && typeof k === 'string') return mapGet(o, k) ?? null;
      return fetch(o, k);
    };
  }
}

/** A function's result, refused when it is a string or list over the scope's limit. */
function sized(s: Scope, v: Value): Value {
  if (typeof v === 'string') checkSize(s, v.length, 'string');
  else if (Array.isArray(v)) checkSize(s, v.length, 'list');
  return v;
}

/** An identifier lookup; `tell` reports an undefined name to the scope's collector. */
function ident(name: string, tell: boolean): Eval {
  return (s) => {
    const v = s.get(name);
    if (v !== undefined) return v;
    if (tell) s.undefinedName?.(name);
    return null;
  };
}

/** Which operands of a binary node are identifiers whose definedness the node tests (`x ?? y`, `x == nil`). */
function definednessTest(op: BinaryOperator, left: Node, right: Node): [boolean, boolean] {
  const isNil = (n: Node): boolean => n.kind === 'literal' && n.value === null;
  if (op === '??') return [left.kind === 'ident', false];
  if (op !== '==' && op !== '!=') return [false, false];
  return [left.kind === 'ident' && isNil(right), right.kind === 'ident' && isNil(left)];
}

function conditional(test: Eval, then: Eval, otherwise: Eval): Eval {
  return (s) => {
    const t = test(s);
    if (typeof t !== 'boolean') {
      throw new ExprError('type_error', `non-bool expression (type ${typeName(t)}) used as condition`);
    }
    return t ? then(s) : otherwise(s);
  };
}

function bool(op: string, v: Value): boolean {
  if (typeof v !== 'boolean') {
    throw new ExprError('type_error', `invalid operation: ${op} needs bool operands, got ${typeName(v)}`);
  }
  return v;
}

function unknownFunction(name: string): ExprError {
  return new ExprError('unknown_function', `unknown function ${name}`);
}

function invoke(name: string, f: Value, args: Value[]): Value {
  if (f === null) throw unknownFunction(name);
  if (!(f instanceof ExprFunction))
    throw new ExprError('type_error', `${name} is not a function (${typeName(f)})`);
  try {
    return f.fn(...args) ?? null;
  } catch (e) {
    if (e instanceof DeferredSignal || e instanceof ExprError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new ExprError('evaluation_error', `${f.name}: ${message}`);
  }
}
