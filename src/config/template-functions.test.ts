import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUid, templateHelpers } from './template-functions.ts';

interface Helpers {
  strings: Record<string, (...a: unknown[]) => unknown>;
  json: Record<string, (...a: unknown[]) => unknown>;
  uid: { New: () => string };
  util: Record<string, (...a: unknown[]) => string>;
  [legacy: string]: unknown;
}

const helpers = (vars: Record<string, string> = {}): Helpers =>
  templateHelpers(vars, () => 'ID') as unknown as Helpers;

test('strings helpers behave like the Go ones, undefined input counts as ""', () => {
  const { strings } = helpers();
  assert.equal(strings['Atoi']?.('42'), 42);
  assert.equal(strings['Atoi']?.('4x'), 0);
  assert.equal(strings['Itoa']?.(7), '7');
  assert.equal(strings['TrimQuotes']?.('""a"b""'), 'a"b');
  assert.equal(strings['TrimSpace']?.('  a '), 'a');
  assert.equal(strings['ToUpper']?.(undefined), '');
  assert.deepEqual(
    ['true', ' YES ', 'ok', 'no', ''].map((v) => strings['IsTruthy']?.(v)),
    [true, true, true, false, false],
  );
  assert.deepEqual(
    ['false', 'None', '', '0', 'x'].map((v) => strings['IsFalsy']?.(v)),
    [true, true, true, true, false],
  );
});

test('json, uid and legacy aliases', () => {
  const h = helpers();
  assert.deepEqual(h.json['Unmarshal']?.('{"a":[1]}'), { a: [1] });
  assert.equal(h.json['Unmarshal']?.('nope{'), null);
  assert.equal(h.json['Marshal']?.({ a: 1 }), '{"a":1}');
  assert.deepEqual(h.json['Sort']?.([3, 'b', 'a']), ['3', 'a', 'b']);
  assert.equal(h.uid.New(), 'ID');
  assert.equal((h['NewID'] as () => string)(), 'ID');
  assert.equal((h['ToJson'] as (v: unknown) => string)([1]), '[1]');
  assert.equal((h['ToUpper'] as (v: unknown) => string)('a'), 'A');
  assert.match(randomUid(), /^[1-9A-HJ-NP-Za-km-z]{11}$/);
});

test('util.PrefixedOverride and util.SuffixInRange', () => {
  const { util } = helpers({ rate: '5', tpc_rate: '7', its_rate: 'none', mch_rate: ' ', blank: '' });
  assert.equal(util['PrefixedOverride']?.('rate', 'tpc'), '7');
  assert.equal(util['PrefixedOverride']?.('rate', 'its'), '5');
  assert.equal(util['PrefixedOverride']?.('rate', 'mch'), '5');
  assert.equal(util['PrefixedOverride']?.('blank', 'x'), '');
  assert.equal(util['SuffixInRange']?.('flp012', 'flp', '10', '20'), 'true');
  assert.equal(util['SuffixInRange']?.('flp021', 'flp', '10', '20'), 'false');
  assert.equal(util['SuffixInRange']?.('epn012', 'flp', '10', '20'), 'false');
  assert.equal(util['SuffixInRange']?.('flpx', 'flp', '10', '20'), 'false');
  assert.equal(util['SuffixInRange']?.('flp12', 'flp', 'a', '20'), 'false');
});
