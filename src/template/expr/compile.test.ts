import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from './compile.ts';
import { DeferredSignal, ExprError, ExprFunction, ExprSyntaxError, recordScope } from './value.ts';
import type { Value } from './value.ts';

const VARS: Record<string, Value> = {
  s: 'abc',
  empty: '',
  t: 'true',
  n: 3,
  f: 1.5,
  list: ['a', 'b', 'c'],
  nums: [1, 2, 3],
  m: { k: 'v', n: 1, inner: { deep: 'x' } },
  detectors: '["TPC","ITS"]',
  ns: { Up: new ExprFunction('ns.Up', (x) => (typeof x === 'string' ? x.toUpperCase() : null)) },
};

const ev = (src: string, vars: Record<string, Value> = VARS): Value =>
  compileExpression(src).evaluate(recordScope(vars));

function table(cases: readonly (readonly [string, Value])[]): void {
  // maps built by literals have a null prototype; compare by JSON shape
  for (const [src, expected] of cases) assert.deepEqual(JSON.parse(JSON.stringify(ev(src))), expected, src);
}

test('literals', () => {
  table([
    ['42', 42],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['0x10', 16],
    ["'it\\'s'", "it's"],
    ['"a\\"b"', 'a"b'],
    ['`raw\\n`', 'raw\\n'],
    ['true', true],
    ['false', false],
    ['nil', null],
    ['[1, "a", nil]', [1, 'a', null]],
    ['{a: 1, "b": [true]}', { a: 1, b: [true] }],
  ]);
});

test('arithmetic and string concatenation', () => {
  table([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 / 2', 3.5],
    ['4 / 2', 2],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['2 ** 10', 1024],
    ['2 ^ 3 ^ 2', 512],
    ['-n', -3],
    ['+n', 3],
    ['--n', 3],
    ['n - 1 - 1', 1],
    ['"a" + "b"', 'ab'],
    ['s + 1', 'abc1'],
    ['1 + s', '1abc'],
    ['f + "x"', '1.5x'],
    ['[1] + [2, 3]', [1, 2, 3]],
    ['1..3', [1, 2, 3]],
    ['3..1', []],
  ]);
});

test('nil handling (AliECS flavour)', () => {
  table([
    ['nil + "x"', 'x'],
    ['"x" + nil', 'x'],
    ['nil + nil', ''],
    ['unknown', null],
    ['unknown + "-suffix"', '-suffix'],
    ["unknown == 'true'", false],
    ["unknown != 'true'", true],
    ['unknown == nil', true],
    ['nil == nil', true],
    ['len(unknown)', 0],
    ['unknown ?? "default"', 'default'],
    ['s ?? "default"', 'abc'],
    ['empty ?? "default"', ''],
    ['unknown?.x.y', null],
    ['m?.k', 'v'],
    ['m.missing', null],
    ['"x" in unknown', false],
  ]);
});

test('comparison and equality', () => {
  table([
    ["t == 'true'", true],
    ['"1" == 1', false],
    ['1 == 1.0', true],
    ['[1, "a"] == [1, "a"]', true],
    ['[1] == [2]', false],
    ['{a: 1} == {a: 1}', true],
    ['{a: 1} == {a: 2}', false],
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 4', false],
    ['3 >= 3.5', false],
    ['"abc" < "abd"', true],
    ['"b" >= "a"', true],
  ]);
});

test('logic, short-circuit and conditionals', () => {
  table([
    ['true && false', false],
    ['true and true', true],
    ['false || true', true],
    ['false or false', false],
    ['!true', false],
    ['not false', true],
    ['!true == false', true],
    ['true || false && false', true],
    ['n > 2 ? "big" : "small"', 'big'],
    ['n > 5 ? "big" : n > 2 ? "mid" : "small"', 'mid'],
    ['true ?: false', true],
  ]);
  let calls = 0;
  const counted = { ...VARS, g: new ExprFunction('g', () => (calls++, true)) };
  for (const src of ['false && g()', 'true || g()', 'true ? "x" : g()', 'false ? g() : "y"', 's ?? g()']) {
    ev(src, counted);
  }
  assert.equal(calls, 0, 'untaken branches are never evaluated');
  assert.equal(ev('true && g()', counted), true);
  assert.equal(calls, 1);
});

test('membership and string operators', () => {
  table([
    ["'a' in list", true],
    ["'z' in list", false],
    ["'z' not in list", true],
    ['2 in nums', true],
    ["'k' in m", true],
    ["'zz' in m", false],
    ["'b' in s", true],
    ["'TPC' in ['TPC', 'ITS']", true],
    ["s contains 'bc'", true],
    ["s not contains 'x'", true],
    ["list contains 'c'", true],
    ["s startsWith 'ab'", true],
    ["s endsWith 'bc'", true],
    ["s not endsWith 'bc'", false],
    ["s matches '^a.c$'", true],
    ["'alio2-cr1-flp145' matches 'flp[0-9]+'", true],
  ]);
});

test('member access, indexing, slicing, calls', () => {
  table([
    ['m.k', 'v'],
    ["m['n']", 1],
    ['m.inner.deep', 'x'],
    ['list[0]', 'a'],
    ['list[-1]', 'c'],
    ['s[1]', 'b'],
    ['list[1:]', ['b', 'c']],
    ['list[:-1]', ['a', 'b']],
    ['list[5:9]', []],
    ['s[1:2]', 'b'],
    ["ns.Up('x')", 'X'],
    ["ns['Up']('y')", 'Y'],
    ['len(list)', 3],
    ['len(m)', 3],
    ['len(s) > 0 ? s : "none"', 'abc'],
  ]);
});

test('type errors name the operator and the types', () => {
  const cases: [string, RegExp][] = [
    ['1 - "a"', /- not defined on int and string/],
    ['"a" * 2', /\* not defined on string and int/],
    ['true + 1', /\+ not defined on bool and int/],
    ['!"x"', /! on string/],
    ['-"x"', /unary - on string/],
    ['s && true', /&& needs bool operands, got string/],
    ['false || 1', /\|\| needs bool operands, got int/],
    ['s ? 1 : 2', /non-bool expression \(type string\) used as condition/],
    ['1 < "a"', /< not defined on int and string/],
    ['nil < 1', /< not defined on nil and int/],
    ['1.5 % 2', /% not defined on float and int/],
    ['s()', /s is not a function \(string\)/],
    ['m.k()', /m\.k is not a function/],
    ['unknown.x', /cannot fetch x from nil/],
    ['s.x', /cannot fetch x from string/],
    ['n[0]', /cannot fetch 0 from int/],
    ['list["a"]', /cannot fetch a from array/],
    ['1 in 2', /in not defined on int and int/],
  ];
  for (const [src, message] of cases) {
    assert.throws(
      () => ev(src),
      (e: unknown) =>
        e instanceof ExprError && e.code === 'type_error' && message.test(e.message) && e.expression === src,
      src,
    );
  }
});

test('unknown functions name the function; runtime failures are evaluation errors', () => {
  const unknown: [string, string][] = [
    ['Fooo()', 'unknown function Fooo'],
    ['strings.Fooo(1)', 'unknown function strings.Fooo'],
    ['dpl.Generate("x")', 'unknown function dpl.Generate'],
  ];
  for (const [src, message] of unknown) {
    assert.throws(
      () => ev(src, { strings: {} }),
      (e: unknown) => e instanceof ExprError && e.code === 'unknown_function' && e.message === message,
      src,
    );
  }
  for (const src of ['list[3]', '1 % 0', '1..10000000', "s matches '('"]) {
    assert.throws(
      () => ev(src),
      (e: unknown) => e instanceof ExprError && e.code === 'evaluation_error',
      src,
    );
  }
});

test('a throwing function becomes evaluation_error named after it; DeferredSignal passes unchanged', () => {
  const signal = new DeferredSignal();
  const vars: Record<string, Value> = {
    strings: {
      Atoi: new ExprFunction('strings.Atoi', () => {
        throw new Error('bad digits');
      }),
    },
    later: new ExprFunction('later', () => {
      throw signal;
    }),
    typed: new ExprFunction('typed', () => {
      throw new ExprError('type_error', 'typed: wants a string');
    }),
  };
  assert.throws(
    () => ev("strings.Atoi('x')", vars),
    (e: unknown) =>
      e instanceof ExprError && e.code === 'evaluation_error' && e.message === 'strings.Atoi: bad digits',
  );
  assert.throws(
    () => ev('true ? later() : 1', vars),
    (e: unknown) => e === signal,
  );
  assert.throws(
    () => ev('[1, later()]', vars),
    (e: unknown) => e === signal,
  );
  assert.throws(
    () => ev('typed()', vars),
    (e: unknown) => e instanceof ExprError && e.code === 'type_error',
  );
});

test('map literals and JSON maps expose only own keys', () => {
  assert.equal(ev('{a: 1}.constructor'), null);
  assert.equal(ev('m.toString'), null);
  assert.equal(ev("'constructor' in m"), false);
  assert.equal(ev('{__proto__: 1}.__proto__'), 1);
});

test('a compiled expression is reusable across scopes', () => {
  const e = compileExpression("dd_enabled == 'true' ? stfb : standalone");
  assert.equal(e.source, "dd_enabled == 'true' ? stfb : standalone");
  assert.equal(e.evaluate(recordScope({ dd_enabled: 'true', stfb: 'A', standalone: 'B' })), 'A');
  assert.equal(e.evaluate(recordScope({ dd_enabled: 'false', stfb: 'A', standalone: 'B' })), 'B');
});

test('very long operator chains are rejected at compile time instead of overflowing the stack', () => {
  const chain = Array.from({ length: 5000 }, () => '1').join(' + ');
  assert.throws(
    () => compileExpression(chain),
    (e: unknown) => e instanceof ExprSyntaxError && /nested too deeply/.test(e.message),
  );
  assert.equal(ev(Array.from({ length: 100 }, () => '1').join(' + ')), 100);
});
