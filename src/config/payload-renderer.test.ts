import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { ConfigError } from '../common/config-source.ts';
import { PayloadRenderer, directoryOf, resolveInclude } from './payload-renderer.ts';

function rendererOver(payloads: Record<string, string>): PayloadRenderer {
  return new PayloadRenderer({ lookup: (p) => payloads[p], newUid: () => 'UID1' });
}

/** The ConfigError thrown by `fn`. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('expected a ConfigError');
}

test('directoryOf and include resolution', () => {
  assert.equal(directoryOf('c/ANY/any/e'), 'c/ANY/any');
  assert.equal(directoryOf('c/ANY/any/sub/e'), 'c/ANY/any/sub');
  const has = (p: string) =>
    ['c/ANY/any/x', 'd/ANY/any/y', 'c/ANY/any/d/ANY/any/y'].includes(p) ? 'v' : undefined;
  const none = () => undefined;
  assert.equal(resolveInclude('c/ANY/any', 'x', has), 'c/ANY/any/x');
  assert.equal(resolveInclude('c/ANY/any', '/d/ANY/any/y', has), 'd/ANY/any/y');
  assert.equal(resolveInclude('c/ANY/any', 'c/ANY/any/x', has), 'c/ANY/any/x');
  assert.equal(resolveInclude('c/ANY/any', 'd/ANY/any/y', has), 'c/ANY/any/d/ANY/any/y');
  assert.equal(resolveInclude('c/ANY/any', 'd/ANY/any/y', none), 'd/ANY/any/y');
  assert.equal(resolveInclude('c/ANY/any', 'missing', none), 'c/ANY/any/missing');
});

test('syntax error names the entry and its line', () => {
  const r = rendererOver({ 'c/ANY/any/bad': 'line one\nline two {% if %}\n' });
  const e = configErrorOf(() => r.render('c/ANY/any/bad', {}));
  assert.equal(e.key, 'c/ANY/any/bad');
  assert.match(e.message, /^template syntax error in c\/ANY\/any\/bad line 2: /);
  assert.match(e.message, /unexpected token/);
});

test('syntax error in an included entry is reported synchronously, without crashing later', async () => {
  const r = rendererOver({
    'c/ANY/any/main': 'a\n{% include "part" %}',
    'c/ANY/any/part': 'x\ny\n{{ foo( }}',
  });
  const e = configErrorOf(() => r.render('c/ANY/any/main', {}));
  assert.equal(e.key, 'c/ANY/any/part');
  assert.match(
    e.message,
    /template syntax error in c\/ANY\/any\/part line 3: .*\(included from c\/ANY\/any\/main\)$/,
  );
  await tick(); // no error may surface after the synchronous render returned
});

test('render-time errors name the innermost entry and a 1-based line', () => {
  const r = rendererOver({
    'c/ANY/any/top': '{{ nope() }}',
    'c/ANY/any/outer': 'a\nb\n{% include "inner" %}',
    'c/ANY/any/inner': 'x\n\n{{ also_nope() }}',
  });
  const top = configErrorOf(() => r.render('c/ANY/any/top', {}));
  assert.equal(top.key, 'c/ANY/any/top');
  assert.match(top.message, /^template error in c\/ANY\/any\/top line 1: Unable to call `nope`/);
  const nested = configErrorOf(() => r.render('c/ANY/any/outer', {}));
  assert.equal(nested.key, 'c/ANY/any/inner');
  assert.match(nested.message, /^template error in c\/ANY\/any\/inner line 3: Unable to call `also_nope`/);
});

test('a missing include names the missing key and the including entry', () => {
  const r = rendererOver({ 'c/ANY/any/main': '{% include "gone" %}' });
  const e = configErrorOf(() => r.render('c/ANY/any/main', {}));
  assert.equal(e.key, 'c/ANY/any/gone');
  assert.equal(
    e.message,
    'no payload at configuration path o2/components/c/ANY/any/gone (included from c/ANY/any/main)',
  );
});

test('compiled templates are cached until invalidated; vars change per render', () => {
  const payloads: Record<string, string> = { 'c/ANY/any/e': 'v={{ v }}' };
  const r = rendererOver(payloads);
  assert.equal(r.render('c/ANY/any/e', { v: '1' }), 'v=1');
  payloads['c/ANY/any/e'] = 'changed {{ v }}';
  assert.equal(r.render('c/ANY/any/e', { v: '2' }), 'v=2');
  r.invalidate();
  assert.equal(r.render('c/ANY/any/e', { v: '3' }), 'changed 3');
});

test('helpers are bound and win over vars of the same name; no HTML escaping', () => {
  const r = rendererOver({
    'c/ANY/any/h':
      '{{ strings.ToLower(A) }} {{ ToUpper(a) }} {{ uid.New() }} {{ util.PrefixedOverride("rate", "tpc") }} ' +
      '{{ json.Unmarshal(list)[1] }} {{ strings.IsTruthy("yes") }} {{ "<&>" }}',
  });
  const out = r.render('c/ANY/any/h', {
    A: 'ABC',
    a: 'abc',
    rate: '5',
    tpc_rate: '7',
    list: '["x","y"]',
    uid: 'var',
  });
  assert.equal(out, 'abc ABC UID1 7 y true <&>');
});
