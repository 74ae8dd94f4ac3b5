/**
 * Static check of the functions an expression calls: `ns.Member(…)` of a known namespace must exist, a bare call must
 * be a builtin or a known function. Unknown namespaces (plugin objects such as `odc`) are only reported as unknown.
 */
import { calleeName } from '../template/expr/ast.ts';
import type { Node } from '../template/expr/ast.ts';
import { builtin } from '../template/expr/builtins.ts';
import { parseExpression } from '../template/expr/parser.ts';
import { isValueMap } from '../template/expr/value.ts';
import type { Value } from '../template/expr/value.ts';

export interface KnownFunctions {
  readonly namespaces: ReadonlyMap<string, ReadonlySet<string>>;
  readonly functions: ReadonlySet<string>;
}

export interface CallProblem {
  readonly name: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Known names from a library object (namespaces are maps, functions are leaves) plus extra top-level functions. */
export function knownFrom(
  library: Readonly<Record<string, Value>>,
  extra: Readonly<Record<string, readonly string[]>>,
  functions: readonly string[],
): KnownFunctions {
  const namespaces = new Map<string, ReadonlySet<string>>();
  const fns = new Set(functions);
  for (const [name, v] of Object.entries(library)) {
    if (v !== null && isValueMap(v)) namespaces.set(name, new Set(Object.keys(v)));
    else fns.add(name);
  }
  for (const [ns, members] of Object.entries(extra)) namespaces.set(ns, new Set(members));
  return { namespaces, functions: fns };
}

/** Problems with the calls of one expression source; a syntax error yields none (reported elsewhere). */
export function checkCalls(source: string, known: KnownFunctions): CallProblem[] {
  let ast: Node;
  try {
    ast = parseExpression(source);
  } catch {
    return [];
  }
  const out: CallProblem[] = [];
  walk(ast, (n) => {
    if (n.kind !== 'call') return;
    const name = calleeName(n.callee);
    if (name === undefined) return;
    const problem = checkName(name, known);
    if (problem !== undefined) out.push(problem);
  });
  return out;
}

function checkName(name: string, known: KnownFunctions): CallProblem | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) {
    if (builtin(name) !== undefined || known.functions.has(name)) return undefined;
    return { name, severity: 'error', message: `unknown function ${name}` };
  }
  const ns = name.slice(0, dot);
  const member = name.slice(dot + 1);
  const members = known.namespaces.get(ns);
  if (members === undefined)
    return { name, severity: 'warning', message: `unknown namespace "${ns}" in ${name} (a plugin object?)` };
  if (members.has(member)) return undefined;
  return {
    name,
    severity: 'error',
    message: `unknown function ${name} (${ns} has ${[...members].sort().join(', ')})`,
  };
}

function walk(n: Node, visit: (n: Node) => void): void {
  visit(n);
  switch (n.kind) {
    case 'literal':
    case 'ident':
      return;
    case 'array':
      return n.items.forEach((i) => walk(i, visit));
    case 'map':
      return n.entries.forEach((e) => walk(e.value, visit));
    case 'unary':
      return walk(n.operand, visit);
    case 'binary':
      walk(n.left, visit);
      return walk(n.right, visit);
    case 'conditional':
      walk(n.test, visit);
      walk(n.then, visit);
      return walk(n.otherwise, visit);
    case 'member':
      walk(n.object, visit);
      return walk(n.property, visit);
    case 'slice':
      walk(n.object, visit);
      if (n.from !== undefined) walk(n.from, visit);
      if (n.to !== undefined) walk(n.to, visit);
      return;
    case 'call':
      walk(n.callee, visit);
      return n.args.forEach((a) => walk(a, visit));
    case 'chain':
      return walk(n.body, visit);
  }
}
