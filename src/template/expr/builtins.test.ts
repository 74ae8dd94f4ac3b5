import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charCount } from './builtins.ts';
import { compileExpression } from './compile.ts';
import { ExprError, recordScope } from './value.ts';
import type { Value } from './value.ts';

const ev = (src: string): Value =>
  compileExpression(src).evaluate(recordScope({ m: { b: 2, a: 1 }, words: ['x', 'y'], len: 'shadowed' }));

test('builtins with normal input', () => {
  const cases: [string, Value][] = [
    ["len('héllo')", 5],
    ["len('😀a')", 2],
    ['len([1, 2])', 2],
    ['len(m)', 2],
    ['len(nil)', 0],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    ["int('42')", 42],
    ["float('1.5')", 1.5],
    ['float(2)', 2],
    ['string(12)', '12'],
    ['string(true)', 'true'],
    ['string(nil)', ''],
    ['string([1])', '[1]'],
    ["lower('AbC')", 'abc'],
    ["upper('abc')", 'ABC'],
    ["trim('  a b  ')", 'a b'],
    ["trim('__a_', '_')", 'a'],
    ["split('a,b,,c', ',')", ['a', 'b', '', 'c']],
    ["split('ab', '')", ['a', 'b']],
    ["join(['a', 'b'], '-')", 'a-b'],
    ['join([1, true])', '1true'],
    ['keys(m)', ['a', 'b']],
    ['values(m)', [1, 2]],
    ['abs(-2)', 2],
    ['max(1, 5, 3)', 5],
    ['min([4, 2, 8])', 2],
    ["hasPrefix('flp001', 'flp')", true],
    ["hasSuffix('flp001', '01')", true],
    ["replace('a-b-c', '-', '_')", 'a_b_c'],
    ['len', 'shadowed'],
  ];
  for (const [src, expected] of cases) assert.deepEqual(ev(src), expected, src);
});

test('builtins with bad input raise typed errors', () => {
  const cases: [string, string, RegExp][] = [
    ['len(1)', 'type_error', /invalid argument for len \(type int\)/],
    ['len()', 'type_error', /len\(\) takes 1 argument/],
    ["int('x')", 'evaluation_error', /int: cannot parse "x"/],
    ['int(nil)', 'type_error', /invalid argument for int/],
    ["float('')", 'evaluation_error', /float: cannot parse/],
    ['lower(1)', 'type_error', /invalid argument for lower \(type int\)/],
    ["join('a', ',')", 'type_error', /invalid argument for join/],
    ['keys([1])', 'type_error', /invalid argument for keys \(type array\)/],
    ["max('a')", 'type_error', /invalid argument for max/],
    ['min()', 'type_error', /needs at least one number/],
  ];
  for (const [src, code, message] of cases) {
    assert.throws(
      () => ev(src),
      (e: unknown) => e instanceof ExprError && e.code === code && message.test(e.message),
      src,
    );
  }
});

test('charCount counts code points', () => {
  assert.deepEqual(['', 'abc', 'é', '😀😀', 'a😀b'].map(charCount), [0, 3, 1, 2, 3]);
});
