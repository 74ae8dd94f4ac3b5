import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExprError } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import { evalWith } from './test-support.ts';

const ev = (src: string): Value => evalWith(src, { v: ' Yes ', q: '"quoted"', num: '12' });

test('strings.* with normal input', () => {
  const cases: [string, Value][] = [
    ["strings.Atoi('42')", 42],
    ["strings.Atoi('-7')", -7],
    ['strings.Atoi(num) + 1', 13],
    ['strings.Itoa(42)', '42'],
    ["strings.Itoa(strings.Atoi('5'))", '5'],
    ['strings.TrimQuotes(q)', 'quoted'],
    ['strings.TrimQuotes(\'""a"b""\')', 'a"b'],
    ["strings.TrimSpace('  a b \\n')", 'a b'],
    ["strings.ToUpper('its')", 'ITS'],
    ["strings.ToLower('TPC')", 'tpc'],
    ['strings.IsTruthy(v)', true],
    ...['true', 'YES', 'y', '1', 'on', 'ok'].map((w): [string, Value] => [`strings.IsTruthy('${w}')`, true]),
    ...['false', 'no', '2', '', 'none'].map((w): [string, Value] => [`strings.IsTruthy('${w}')`, false]),
    ...['', ' ', 'false', 'NO', 'n', '0', 'off', 'None'].map((w): [string, Value] => [
      `strings.IsFalsy('${w}')`,
      true,
    ]),
    ...['true', 'x', '1', 'null'].map((w): [string, Value] => [`strings.IsFalsy('${w}')`, false]),
    ['strings.IsFalsy(unset)', true],
    ['strings.IsTruthy(unset)', false],
    ["strings.ToLower(unset) + '-'", '-'],
  ];
  for (const [src, expected] of cases) assert.deepEqual(ev(src), expected, src);
});

test('strings.* with bad input', () => {
  assert.equal(ev("strings.Atoi('x1')"), 0, 'AliECS: Atoi of non-numbers is 0');
  assert.equal(ev("strings.Atoi(' 1')"), 0);
  assert.equal(ev("strings.Atoi('1.5')"), 0);
  const errors: [string, RegExp][] = [
    ["strings.Itoa('12')", /strings\.Itoa: argument 1 must be an integer, got string/],
    ['strings.Itoa(1.5)', /must be an integer, got float/],
    ['strings.ToUpper([1])', /strings\.ToUpper: argument 1 must be a string, got array/],
    ['strings.IsFalsy()', /strings\.IsFalsy: takes 1 argument\(s\), got 0/],
    ["strings.TrimSpace('a', 'b')", /takes 1 argument/],
  ];
  for (const [src, message] of errors) {
    assert.throws(
      () => ev(src),
      (e: unknown) => e instanceof ExprError && e.code === 'type_error' && message.test(e.message),
      src,
    );
  }
});
