import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExprError } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import { evalWith } from './test-support.ts';

const VARS = { detectors: '["TPC","ITS","MCH"]', obj: '{"b":1,"a":{"x":[true,null]}}', bad: '[1,' };
const ev = (src: string): Value => evalWith(src, VARS);

test('json.* with normal input', () => {
  const cases: [string, Value][] = [
    ['json.Unmarshal(detectors)', ['TPC', 'ITS', 'MCH']],
    ['json.Deserialize(obj).a.x[0]', true],
    ["'ITS' in json.Unmarshal(detectors)", true],
    ["'a' in json.Unmarshal(obj)", true],
    ['json.Marshal(json.Unmarshal(obj))', '{"a":{"x":[true,null]},"b":1}'],
    ['json.Serialize([1, "a<b"])', '[1,"a\\u003cb"]'],
    ["json.Marshal('text')", '"text"'],
    ['json.Marshal(nil)', 'null'],
    ['json.Sort(json.Unmarshal(detectors))', ['ITS', 'MCH', 'TPC']],
    ['json.Sort([3, 1, "b", true])', ['1', '3', 'b', 'true']],
    ["json.Sort('not a list')", 'not a list'],
    ['json.Marshal(json.Sort(json.Unmarshal(detectors)))', '["ITS","MCH","TPC"]'],
    ['FromJson(detectors)[0]', 'TPC'],
    ['ToJson([1])', '[1]'],
  ];
  for (const [src, expected] of cases) assert.deepEqual(ev(src), expected, src);
});

test('json.* with bad input', () => {
  assert.equal(ev('json.Unmarshal(bad)'), null, 'AliECS: invalid JSON unmarshals to nil');
  assert.equal(ev('json.Unmarshal(unset)'), null);
  assert.equal(ev("'TPC' in json.Unmarshal(unset)"), false);
  assert.throws(
    () => ev('json.Marshal(json.Marshal)'),
    (e: unknown) =>
      e instanceof ExprError && e.code === 'type_error' && /json: cannot encode function/.test(e.message),
  );
  assert.throws(
    () => ev('json.Sort()'),
    (e: unknown) => e instanceof ExprError && e.code === 'type_error',
  );
  assert.throws(
    () => ev('json.Unmarshal([1])'),
    (e: unknown) => e instanceof ExprError && e.code === 'type_error',
  );
});
