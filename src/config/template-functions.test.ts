import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExprFunction } from '../template/expr/index.ts';
import type { Value, ValueMap } from '../template/expr/index.ts';
import { createPayloadHelpers, randomUid } from './template-functions.ts';

const helpers = (vars: Record<string, string> = {}) => createPayloadHelpers(() => 'ID')(vars);

/** Calls helper `name` (a top-level alias) or `ns.name`. */
function call(h: Record<string, Value>, path: string, ...args: Value[]): Value {
  const [first = '', second] = path.split('.');
  const f = second === undefined ? h[first] : (h[first] as ValueMap)[second];
  assert.ok(f instanceof ExprFunction, `${path} is a helper`);
  return f.fn(...args);
}

test('strings helpers behave like the Go ones, nil input counts as ""', () => {
  const h = helpers();
  assert.equal(call(h, 'strings.Atoi', '42'), 42);
  assert.equal(call(h, 'strings.Atoi', '4x'), 0);
  assert.equal(call(h, 'strings.Itoa', 7), '7');
  assert.equal(call(h, 'strings.TrimQuotes', '""a"b""'), 'a"b');
  assert.equal(call(h, 'strings.TrimSpace', '  a '), 'a');
  assert.equal(call(h, 'strings.ToUpper', null), '');
  assert.deepEqual(
    ['true', ' YES ', 'ok', 'no', ''].map((v) => call(h, 'strings.IsTruthy', v)),
    [true, true, true, false, false],
  );
  assert.deepEqual(
    ['false', 'None', '', '0', 'x'].map((v) => call(h, 'strings.IsFalsy', v)),
    [true, true, true, true, false],
  );
});

test('json, uid and legacy aliases', () => {
  const h = helpers();
  assert.deepEqual(call(h, 'json.Unmarshal', '{"a":[1]}'), { a: [1] });
  assert.equal(call(h, 'json.Unmarshal', 'nope{'), null);
  assert.equal(call(h, 'json.Marshal', { a: 1 }), '{"a":1}');
  assert.deepEqual(call(h, 'json.Sort', [3, 'b', 'a']), ['3', 'a', 'b']);
  assert.equal(call(h, 'uid.New'), 'ID');
  assert.equal(call(h, 'NewID'), 'ID');
  assert.equal(call(h, 'ToJson', [1]), '[1]');
  assert.equal(call(h, 'ToUpper', 'a'), 'A');
  assert.match(randomUid(), /^[1-9A-HJ-NP-Za-km-z]{11}$/);
});

test('only the payload helpers are offered: no config, inventory or runtime access', () => {
  const h = helpers();
  assert.deepEqual(Object.keys(h).sort(), [
    'Atoi', 'FromJson', 'IsFalsy', 'IsTruthy', 'Itoa', 'NewID', 'PrefixedOverride', 'SuffixInRange', 'ToJson',
    'ToLower', 'ToUpper', 'TrimQuotes', 'TrimSpace', 'json', 'strings', 'uid', 'util',
  ]); // prettier-ignore
});

test('util.PrefixedOverride and util.SuffixInRange; inherited names are not variables', () => {
  const h = helpers({ rate: '5', tpc_rate: '7', its_rate: 'none', mch_rate: ' ', blank: '' });
  assert.equal(call(h, 'util.PrefixedOverride', 'rate', 'tpc'), '7');
  assert.equal(call(h, 'util.PrefixedOverride', 'rate', 'its'), '5');
  assert.equal(call(h, 'util.PrefixedOverride', 'rate', 'mch'), '5');
  assert.equal(call(h, 'util.PrefixedOverride', 'blank', 'x'), '');
  assert.equal(call(h, 'util.PrefixedOverride', 'constructor', 'x'), '');
  assert.equal(call(h, 'PrefixedOverride', 'toString', 'x'), '');
  assert.equal(call(h, 'util.SuffixInRange', 'flp012', 'flp', '10', '20'), 'true');
  assert.equal(call(h, 'util.SuffixInRange', 'flp021', 'flp', '10', '20'), 'false');
  assert.equal(call(h, 'util.SuffixInRange', 'epn012', 'flp', '10', '20'), 'false');
  assert.equal(call(h, 'util.SuffixInRange', 'flpx', 'flp', '10', '20'), 'false');
  assert.equal(call(h, 'util.SuffixInRange', 'flp12', 'flp', 'a', '20'), 'false');
});
