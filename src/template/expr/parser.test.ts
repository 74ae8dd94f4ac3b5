import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from './ast.ts';
import { calleeName } from './ast.ts';
import { parseExpression } from './parser.ts';
import { ExprSyntaxError } from './value.ts';

/** Fully parenthesised form of a tree, to make grouping visible. */
function show(n: Node): string {
  switch (n.kind) {
    case 'literal':
      return JSON.stringify(n.value);
    case 'ident':
      return n.name;
    case 'array':
      return `[${n.items.map(show).join(', ')}]`;
    case 'map':
      return `{${n.entries.map((e) => `${e.key}: ${show(e.value)}`).join(', ')}}`;
    case 'unary':
      return `(${n.op}${show(n.operand)})`;
    case 'binary':
      return `(${show(n.left)} ${n.op} ${show(n.right)})`;
    case 'conditional':
      return `(${show(n.test)} ? ${show(n.then)} : ${show(n.otherwise)})`;
    case 'member':
      return `${show(n.object)}${n.optional ? '?.' : ''}[${show(n.property)}]`;
    case 'slice':
      return `${show(n.object)}[${n.from ? show(n.from) : ''}:${n.to ? show(n.to) : ''}]`;
    case 'call':
      return `${show(n.callee)}(${n.args.map(show).join(', ')})`;
    case 'chain':
      return `chain(${show(n.body)})`;
  }
}

test('precedence and associativity follow expr-lang', () => {
  const cases: [string, string][] = [
    ['a || b && c', '(a || (b && c))'],
    ['a or b and c', '(a || (b && c))'],
    ['!a == b', '((!a) == b)'],
    ['not a == b', '((!a) == b)'],
    ['!a * b', '(!(a * b))'],
    ['-a * b', '((-a) * b)'],
    ['-a ** 2', '(-(a ** 2))'],
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['2 ** 3 ** 2', '(2 ** (3 ** 2))'],
    ['2 ^ 3', '(2 ** 3)'],
    ['a == b && c != d', '((a == b) && (c != d))'],
    ['1..2 + 3', '(1 .. (2 + 3))'],
    ['x in y || z', '((x in y) || z)'],
    ['x not in y', '(x not in y)'],
    ['s not contains "a"', '(s not contains "a")'],
    ['a ? b : c ? d : e', '(a ? b : (c ? d : e))'],
    ['a ? b ? c : d : e', '(a ? (b ? c : d) : e)'],
    ['a == b ? c + d : e', '((a == b) ? (c + d) : e)'],
    ['a ?? b', '(a ?? b)'],
    ['a ?? b ?? c', '((a ?? b) ?? c)'],
    ['a == b ?? c', '(a == (b ?? c))'],
    ['a ?? b ? c : d', '((a ?? b) ? c : d)'],
    ['(a || b) && c', '((a || b) && c)'],
    ['!(x in y)', '(!(x in y))'],
  ];
  for (const [src, expected] of cases) assert.equal(show(parseExpression(src)), expected, src);
});

test('postfix: members, optional chains, index, slices, calls', () => {
  const cases: [string, string][] = [
    ['a.b.c', 'a["b"]["c"]'],
    ['a?.b.c', 'chain(a?.["b"]["c"])'],
    ['a?.[0]', 'chain(a?.[0])'],
    ['a["k"][0]', 'a["k"][0]'],
    ['a[1:2]', 'a[1:2]'],
    ['a[:2]', 'a[:2]'],
    ['a[1:]', 'a[1:]'],
    ['f(x, y)', 'f(x, y)'],
    ['strings.ToLower( detector )', 'strings["ToLower"](detector)'],
    ['Up(2).Path', 'Up(2)["Path"]'],
    ['x.in', 'x["in"]'],
  ];
  for (const [src, expected] of cases) assert.equal(show(parseExpression(src)), expected, src);
});

test('literals: arrays, maps (trailing commas), nil, booleans, elvis', () => {
  assert.equal(show(parseExpression('[1, "a", nil, true,]')), '[1, "a", null, true]');
  assert.equal(show(parseExpression('{a: 1, "b c": 2, 3: x}')), '{a: 1, b c: 2, 3: x}');
  assert.equal(show(parseExpression('{}')), '{}');
  assert.equal(show(parseExpression('a ?: b')), '(a ? a : b)');
});

test('calleeName gives the dotted name of plain member chains only', () => {
  const callee = (src: string): Node => {
    const n = parseExpression(src);
    assert.ok(n.kind === 'call');
    return n.callee;
  };
  assert.equal(calleeName(callee('strings.Fooo()')), 'strings.Fooo');
  assert.equal(calleeName(callee('f()')), 'f');
  assert.equal(calleeName(callee('a[0]()')), undefined);
});

test('syntax errors carry a message and the 0-based offset of the offending token', () => {
  const cases: [string, number, RegExp][] = [
    ['', 0, /unexpected end/],
    ['a +', 3, /unexpected end/],
    ['(a', 2, /expected '\)'/],
    ['a b', 2, /unexpected 'b'/],
    ['[1, 2', 5, /expected ','/],
    ['{a 1}', 3, /expected ':'/],
    ['a ? b', 5, /expected ':'/],
    ['a ?? b || c', 7, /cannot be mixed/],
    ['a not b', 2, /unexpected 'not'/],
    ["x.'a'", 2, /member name/],
    ['in', 0, /unexpected 'in'/],
    [')', 0, /unexpected '\)'/],
    ['f(1,,2)', 4, /unexpected ','/],
  ];
  for (const [src, offset, message] of cases) {
    assert.throws(
      () => parseExpression(src),
      (e: unknown) => e instanceof ExprSyntaxError && e.offset === offset && message.test(e.message),
      src,
    );
  }
});

test('absurd nesting is a syntax error, not a stack overflow', () => {
  assert.throws(() => parseExpression('('.repeat(5000) + '1' + ')'.repeat(5000)), ExprSyntaxError);
  assert.throws(() => parseExpression('!'.repeat(5000) + 'true'), ExprSyntaxError);
});
