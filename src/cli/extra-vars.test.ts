import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtraVarsError, parseExtraVars } from './extra-vars.ts';

test('CSV and JSON forms', () => {
  assert.deepEqual(parseExtraVars(['a=1,b=two']), { a: '1', b: 'two' });
  assert.deepEqual(parseExtraVars(['hosts=["x","y"],qc=true']), { hosts: '["x","y"]', qc: 'true' });
  assert.deepEqual(parseExtraVars(['{"hosts":["x"],"n":3,"s":"t"}']), { hosts: '["x"]', n: '3', s: 't' });
  assert.deepEqual(parseExtraVars(['a=1', 'a=2,b=3']), { a: '2', b: '3' });
  assert.deepEqual(parseExtraVars(['k=a=b']), { k: 'a=b' });
});

test('bad forms are refused with the reason', () => {
  assert.throws(() => parseExtraVars(['novalue']), ExtraVarsError);
  assert.throws(() => parseExtraVars(['{bad json']), /invalid JSON/);
  assert.throws(() => parseExtraVars(['[1,2]']), ExtraVarsError);
});
