import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, isTruthyText, renderValue, toJson } from './render.ts';
import { ExprError, ExprFunction } from './value.ts';
import type { Value } from './value.ts';

test('renderValue: strings as-is, nil empty, booleans, numbers, lists and maps as JSON', () => {
  const cases: [Value, string][] = [
    ['text', 'text'],
    [null, ''],
    [true, 'true'],
    [false, 'false'],
    [42, '42'],
    [-7, '-7'],
    [1.5, '1.5'],
    [10000000000, '10000000000'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1e+21'],
    [1.5e-7, '1.5e-07'],
    [-0, '0'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
    [['a', 'b'], '["a","b"]'],
    [[1, null, true, ['x']], '[1,null,true,["x"]]'],
    [{ b: 1, a: 'x' }, '{"a":"x","b":1}'],
    [[], '[]'],
  ];
  for (const [v, text] of cases) assert.equal(renderValue(v), text, String(text));
});

test('renderValue of a function is a type error', () => {
  assert.throws(
    () => renderValue(new ExprFunction('strings.Atoi', () => null)),
    (e: unknown) => e instanceof ExprError && e.code === 'type_error' && /strings\.Atoi/.test(e.message),
  );
});

test('toJson escapes like Go encoding/json and rejects what JSON cannot hold', () => {
  assert.equal(toJson(['<a & b>']), '["\\u003ca \\u0026 b\\u003e"]');
  assert.equal(toJson('line\nbreak "q"'), '"line\\nbreak \\"q\\""');
  assert.equal(toJson({ z: { y: [1.5] } }), '{"z":{"y":[1.5]}}');
  assert.throws(() => toJson([Infinity]), ExprError);
  assert.throws(() => toJson({ f: new ExprFunction('f', () => null) }), ExprError);
});

test('formatNumber keeps integers integral', () => {
  assert.deepEqual([3, 3.25, 1e20, 123456789012].map(formatNumber), [
    '3',
    '3.25',
    '100000000000000000000',
    '123456789012',
  ]);
});

test('isTruthyText is the AliECS `enabled` rule', () => {
  const yes = ['true', 'TRUE', ' True ', '1', ' 1\n'];
  const no = ['', 'false', 'yes', 'on', '0', '2', 'truth', 'none'];
  assert.deepEqual(
    yes.map(isTruthyText),
    yes.map(() => true),
  );
  assert.deepEqual(
    no.map(isTruthyText),
    no.map(() => false),
  );
});
