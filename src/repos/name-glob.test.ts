import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLiteralGlob, nameGlob } from './name-glob.ts';

test('globs over ids and revisions have no separator', () => {
  const m = (p: string, s: string): boolean => nameGlob(p).test(s);
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
