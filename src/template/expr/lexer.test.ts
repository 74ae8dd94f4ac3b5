import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from './lexer.ts';
import { ExprSyntaxError } from './value.ts';

const texts = (src: string): string[] => tokenize(src).map((t) => `${t.kind}:${t.text}`);

test('tokens carry kind, decoded text and offset', () => {
  assert.deepEqual(texts("a.b ?? 'x' not in [1.5]"), [
    'word:a',
    'op:.',
    'word:b',
    'op:??',
    'string:x',
    'word:not',
    'word:in',
    'op:[',
    'number:1.5',
    'op:]',
    'eof:',
  ]);
  assert.deepEqual(
    tokenize('  foo == 1').map((t) => t.offset),
    [2, 6, 9, 10],
  );
});

test('string literals decode escapes; backticks are raw', () => {
  const cases: [string, string][] = [
    [`'it\\'s'`, "it's"],
    [`"say \\"hi\\""`, 'say "hi"'],
    [`'a\\\\b'`, 'a\\b'],
    [`'l1\\nl2\\t'`, 'l1\nl2\t'],
    [`'\\u00e9\\x41'`, 'éA'],
    ['`raw \\n "x"`', 'raw \\n "x"'],
  ];
  for (const [src, text] of cases) assert.equal(tokenize(src)[0]?.text, text, src);
});

test('numbers: ints, floats, exponents, hex, underscores; `1..3` is a range, not a float', () => {
  assert.deepEqual(texts('1..3'), ['number:1', 'op:..', 'number:3', 'eof:']);
  for (const n of ['42', '1.5', '.5', '1e3', '2.5E-3', '0x1F', '0b101', '0o17', '1_000']) {
    assert.deepEqual(texts(n), [`number:${n}`, 'eof:'], n);
  }
});

test('lexical errors are ExprSyntaxError with the offset of the problem', () => {
  const cases: [string, number][] = [
    ["a + 'open", 4],
    ['x # y', 2],
    ['`raw', 0],
    ['12abc', 0],
    ["'bad \\q escape'", 5],
  ];
  for (const [src, offset] of cases) {
    assert.throws(
      () => tokenize(src),
      (e: unknown) => e instanceof ExprSyntaxError && e.offset === offset && e.expression === src,
      src,
    );
  }
});
