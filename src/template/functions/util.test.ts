import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExprError } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import { evalWith } from './test-support.ts';
import { suffixInRange } from './util.ts';

const VARS = {
  dpl_command: 'generic',
  ctp_dpl_command: 'ctp-specific',
  tpc_dpl_command: 'none',
  its_dpl_command: '   ',
  detector: 'TPC',
  plain_only: 'p',
  none_plain: 'none',
};
const ev = (src: string, deps = {}): Value => evalWith(src, VARS, deps);

test('util.PrefixedOverride reads the variables of the context', () => {
  const cases: [string, string][] = [
    ["util.PrefixedOverride('dpl_command', 'ctp')", 'ctp-specific'],
    ["util.PrefixedOverride('dpl_command', strings.ToLower(detector))", 'generic'],
    ["util.PrefixedOverride('dpl_command', 'its')", 'generic'],
    ["util.PrefixedOverride('dpl_command', 'mch')", 'generic'],
    ["util.PrefixedOverride('plain_only', 'x')", 'p'],
    ["util.PrefixedOverride('none_plain', 'x')", ''],
    ["util.PrefixedOverride('absent', 'x')", ''],
    ["PrefixedOverride('dpl_command', 'ctp')", 'ctp-specific'],
  ];
  for (const [src, expected] of cases) assert.equal(ev(src), expected, src);
});

test('util.SuffixInRange, Nullable and Dump', () => {
  const cases: [string, Value][] = [
    ["util.SuffixInRange('alio2-cr1-flp012', 'alio2-cr1-flp', '001', '072')", 'true'],
    ["util.SuffixInRange('alio2-cr1-flp072', 'alio2-cr1-flp', '001', '072')", 'true'],
    ["util.SuffixInRange('alio2-cr1-flp145', 'alio2-cr1-flp', '001', '072')", 'false'],
    ["util.SuffixInRange('other-host', 'alio2-cr1-flp', '001', '072')", 'false'],
    ["util.SuffixInRange('alio2-cr1-flpX', 'alio2-cr1-flp', '001', '072')", 'false'],
    ["util.SuffixInRange('alio2-cr1-flp5', 'alio2-cr1-flp', 'a', '072')", 'false'],
    ["SuffixInRange('flp3', 'flp', '1', '3')", 'true'],
    ['util.Nullable(unset)', ''],
    ["util.Nullable('x')", 'x'],
    ['Nullable(5)', '5'],
  ];
  for (const [src, expected] of cases) assert.equal(ev(src), expected, src);
  assert.equal(suffixInRange('x1', '', '0', '9'), 'false', 'an empty prefix never matches (as in AliECS)');

  const dumped: [string, string][] = [];
  assert.equal(
    ev("util.Dump('payload', '/tmp/x')", { dumpFile: (p: string, t: string) => dumped.push([p, t]) }),
    'payload',
  );
  assert.deepEqual(dumped, [['/tmp/x', 'payload']]);
  assert.equal(ev("Dump('p', '/nowhere')"), 'p', 'without a sink Dump only returns its text');
  const failing = {
    dumpFile: () => {
      throw new Error('read-only');
    },
  };
  assert.equal(ev("util.Dump('p', '/ro')", failing), 'p', 'a failed dump is ignored as in AliECS');
});

test('util.* with bad input', () => {
  const cases: [string, RegExp][] = [
    ["util.PrefixedOverride('a')", /util\.PrefixedOverride: takes 2 argument/],
    ["util.SuffixInRange('a', 'b', 'c')", /util\.SuffixInRange: takes 4 argument/],
    ['util.Nullable([1], 2)', /util\.Nullable: takes 1 argument/],
    ["util.Dump({a: 1}, 'f')", /util\.Dump: argument 1 must be a string, got map/],
  ];
  for (const [src, message] of cases) {
    assert.throws(
      () => ev(src),
      (e: unknown) => e instanceof ExprError && e.code === 'type_error' && message.test(e.message),
      src,
    );
  }
});
