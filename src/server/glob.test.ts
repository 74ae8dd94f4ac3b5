/** Glob patterns (gobwas syntax, separator '.'): what they match, and the reasons for malformed ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, isLiteralGlob } from './glob.ts';

function matches(glob: string, text: string): boolean {
  const r = compileGlob(glob);
  if (!r.ok) assert.fail(`${glob}: ${r.reason}`);
  return r.re.test(text);
}

test('wildcards, classes and alternatives match as in gobwas/glob', () => {
  assert.ok(matches('*', 'master'));
  assert.ok(!matches('*', 'a.b'));
  assert.ok(matches('**', 'a.b.c'));
  assert.ok(matches('v?', 'v1'));
  assert.ok(matches('v[0-9]', 'v7'));
  assert.ok(!matches('v[!0-9]', 'v7'));
  assert.ok(matches('{master,main}', 'main'));
  assert.ok(matches('a.{b,c*}.d', 'a.cx.d'));
  assert.ok(matches('x(y)+', 'x(y)+'), 'regex characters are literal');
  assert.ok(matches('\\*', '*'));
});

test('malformed patterns are refused with the reason and position', () => {
  assert.deepEqual(compileGlob('v[1'), { ok: false, reason: '"[" at position 2 is not closed' });
  assert.deepEqual(compileGlob('{a,b'), { ok: false, reason: '"{" at position 1 is not closed' });
  assert.deepEqual(compileGlob('a[]'), { ok: false, reason: 'the class at position 2 is empty' });
  assert.deepEqual(compileGlob('[z-a]'), { ok: false, reason: 'the range z-a at position 1 is reversed' });
  assert.deepEqual(compileGlob('a\\'), { ok: false, reason: 'a trailing "\\" escapes nothing' });
});

test('globs over repository ids and revisions have no separator', () => {
  const m = (p: string, s: string): boolean => {
    const r = compileGlob(p, 'none');
    return r.ok && r.re.test(s);
  };
  assert.ok(m('*myrepo*', 'github.com/org/myrepo'));
  assert.ok(m('v1.*', 'v1.2.0'));
  assert.ok(m('v?.3', 'v1.3'));
  assert.ok(m('release-[0-9]*', 'release-2.x'));
  assert.ok(!m('release-[!0-9]*', 'release-2.x'));
  assert.ok(m('{master,main}', 'main'));
  assert.ok(m('a\\*b', 'a*b') && !m('a\\*b', 'axb'));
  assert.ok(!m('v1.*', 'v10') && !m('master', 'master2'));
  assert.ok(m('(x)+', '(x)+'), 'regular-expression characters are literal');
  assert.deepEqual([isLiteralGlob('dev'), isLiteralGlob('de*'), isLiteralGlob('a{b}')], [true, false, false]);
});
