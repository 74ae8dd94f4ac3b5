import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeferredSignal, ExprFunction, recordScope } from './expr/value.ts';
import type { Value } from './expr/value.ts';
import { compileTemplate, renderTemplate, TemplateEvalError, TemplateSyntaxError } from './interpolate.ts';

const scope = recordScope({
  it: 'flp001',
  x: '',
  a: 'A',
  b: 'B',
  list: ['a', 'b'],
  on: 'true',
  n: 2,
});

test('renders tags and keeps the text around them', () => {
  const cases: [string, string][] = [
    ['plain text', 'plain text'],
    ['', ''],
    ['stfb-{{ it }}-{{ len(x) > 0 ? a : b }}', 'stfb-flp001-B'],
    ['{{it}}{{it}}', 'flp001flp001'],
    ['{{ list }}', '["a","b"]'],
    ["{{ on == 'true' }}", 'true'],
    ['{{ n / 4 }}', '0.5'],
    ['{{ unknown }}|', '|'],
    ['{{ "a}}b" }}', 'a}}b'],
    ["{{ 'it\\'s' == nil ? 1 : 2 }}", '2'],
    ["{{ 'a\\'}}' }}", "a'}}"],
    ['{{ `}}` }}', '}}'],
    ['{{ {a: 1}.a }}', '1'],
    ['{{{a: 1}.a}}', '1'],
    ['a }} b', 'a }} b'],
    ['a { b } c', 'a { b } c'],
    ['multi\nline {{ a }}\n', 'multi\nline A\n'],
  ];
  for (const [text, expected] of cases) assert.equal(renderTemplate(text, scope), expected, text);
});

test('compiled templates: constant flag, single-tag raw value, caching', () => {
  const constant = compileTemplate('no tags here');
  assert.equal(constant.isConstant, true);
  assert.equal(constant.evaluateSingle, undefined);
  const single = compileTemplate('{{ list }}');
  assert.equal(single.isConstant, false);
  assert.deepEqual(single.evaluateSingle?.(scope), ['a', 'b']);
  assert.equal(compileTemplate(' {{ list }}').evaluateSingle, undefined);
  assert.equal(compileTemplate('{{ a }}{{ b }}').evaluateSingle, undefined);
  assert.equal(compileTemplate('x-{{ it }}'), compileTemplate('x-{{ it }}'), 'same source, same object');
  assert.equal(single.source, '{{ list }}');
});

test('syntax errors: message, 1-based column in the text, expression', () => {
  const cases: [string, number, string, RegExp][] = [
    ['abc {{ it', 5, 'it', /unterminated \{\{/],
    ['{{ a + }}', 8, 'a +', /unexpected end/],
    ['x {{ (a }} y', 9, '(a', /expected '\)'/],
    ['{{ "open }}', 4, '"open }}', /unterminated string/],
    ['{{}}', 3, '', /unexpected end/],
    ['ok {{ a }} then {{ a b }}', 22, 'a b', /unexpected 'b'/],
  ];
  for (const [text, column, expression, message] of cases) {
    assert.throws(
      () => compileTemplate(text),
      (e: unknown) =>
        e instanceof TemplateSyntaxError &&
        e.column === column &&
        e.expression === expression &&
        message.test(e.message),
      text,
    );
    assert.throws(() => renderTemplate(text, scope), TemplateSyntaxError, 'cached failure throws again');
  }
});

test('evaluation errors carry code, message, expression and the column of the tag', () => {
  assert.throws(
    () => renderTemplate('pre {{ a }} {{ 1 - a }}', scope),
    (e: unknown) =>
      e instanceof TemplateEvalError &&
      e.code === 'type_error' &&
      e.expression === '1 - a' &&
      e.column === 13 &&
      /- not defined on int and string/.test(e.message),
  );
  assert.throws(
    () => renderTemplate('{{ strings.Nope() }}', recordScope({ strings: {} })),
    (e: unknown) => e instanceof TemplateEvalError && e.code === 'unknown_function' && e.column === 1,
  );
  assert.throws(
    () => compileTemplate('{{ list[9] }}').evaluateSingle?.(scope),
    (e: unknown) => e instanceof TemplateEvalError && e.code === 'evaluation_error',
  );
  const fn: Value = new ExprFunction('f', () => null);
  assert.throws(
    () => renderTemplate('{{ f }}', recordScope({ f: fn })),
    (e: unknown) => e instanceof TemplateEvalError && e.code === 'type_error',
  );
});

test('DeferredSignal passes through rendering unchanged', () => {
  const signal = new DeferredSignal();
  const later = recordScope({
    later: new ExprFunction('later', () => {
      throw signal;
    }),
  });
  assert.throws(
    () => renderTemplate('x {{ later() }}', later),
    (e: unknown) => e === signal,
  );
  assert.throws(
    () => compileTemplate('{{ later() }}').evaluateSingle?.(later),
    (e: unknown) => e === signal,
  );
});

test('100,000 renders of a typical template stay fast (target: well under 200 ms)', () => {
  const scopes = Array.from({ length: 200 }, (_, i) =>
    recordScope({ it: `alio2-cr1-flp${i}`, x: i % 2 === 0 ? '' : 'mod', a: 'A', b: 'B' }),
  );
  const text = 'stfb-{{ it }}-{{ len(x) > 0 ? a : b }}';
  renderTemplate(text, scopes[0]!);
  const started = performance.now();
  let total = 0;
  for (let i = 0; i < 100_000; i++) total += renderTemplate(text, scopes[i % 200]!).length;
  const elapsed = performance.now() - started;
  assert.equal(total, 2_245_000);
  assert.equal(renderTemplate(text, scopes[7]!), 'stfb-alio2-cr1-flp7-A');
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(1)} ms (generous bound for slow CI machines)`);
});
