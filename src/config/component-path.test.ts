import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../common/config-source.ts';
import {
  componentKey,
  componentPathOrThrow,
  fallbackOrder,
  formatComponentPath,
  parseComponentPath,
} from './component-path.ts';
import type { ComponentPathProblem } from './component-path.ts';
import { RUN_TYPES, RUN_TYPE_NUMBERS, isRunType } from './run-type.ts';

test('run types: names in wire order, ANY last, exact-case membership', () => {
  assert.equal(RUN_TYPES[0], 'NULL');
  assert.equal(RUN_TYPES.at(-1), 'ANY');
  assert.equal(RUN_TYPES.length, 20);
  assert.equal(RUN_TYPE_NUMBERS.CALIBRATION_VRESETD, 18);
  assert.equal(isRunType('PHYSICS'), true);
  assert.equal(isRunType('physics'), false);
  assert.equal(isRunType('toString'), false);
});

test('a valid path parses, entry may contain slashes, whitespace is ignored', () => {
  const parsed = parseComponentPath(' readout/PHYSICS/flp-001_a/sub/entry_1 ');
  assert.deepEqual(parsed, {
    ok: true,
    value: { component: 'readout', runType: 'PHYSICS', role: 'flp-001_a', entry: 'sub/entry_1' },
  });
  const p = componentPathOrThrow('qc/ANY/any/x');
  assert.equal(formatComponentPath(p), 'qc/ANY/any/x');
  assert.equal(componentKey(p), 'o2/components/qc/ANY/any/x');
});

test('bad paths are rejected with the reason', () => {
  const cases: [string, ComponentPathProblem][] = [
    ['readout/ANY/any', 'segments'],
    ['readout', 'segments'],
    ['read.out/ANY/any/e', 'component'],
    ['/ANY/any/e', 'component'],
    ['readout/Physics/any/e', 'run_type_format'],
    ['readout/BOGUS/any/e', 'unknown_run_type'],
    ['readout/ANY/a b/e', 'role'],
    ['readout/ANY/any/e.ini', 'entry'],
    ['readout/ANY/any/a//b', 'entry'],
    ['readout/ANY/any/e/', 'entry'],
    ['readout/ANY/any/resolve', 'resolve_suffix'],
    ['readout/ANY/any/x/noresolve', 'resolve_suffix'],
  ];
  for (const [path, problem] of cases) {
    const parsed = parseComponentPath(path);
    assert.equal(parsed.ok, false, path);
    if (!parsed.ok) {
      assert.equal(parsed.problem, problem, path);
      assert.match(parsed.message, new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    }
  }
});

test('componentPathOrThrow throws ConfigError keyed by the path', () => {
  assert.throws(
    () => componentPathOrThrow('readout/NOPE/any/e'),
    (e: unknown) =>
      e instanceof ConfigError && e.key === 'readout/NOPE/any/e' && /unknown run type/.test(e.message),
  );
});

test('fallback order: exact, run type ANY, role any, ANY/any; duplicates dropped', () => {
  const order = (path: string): string[] =>
    fallbackOrder(componentPathOrThrow(path)).map(formatComponentPath);
  assert.deepEqual(order('c/PHYSICS/flp1/e'), [
    'c/PHYSICS/flp1/e',
    'c/ANY/flp1/e',
    'c/PHYSICS/any/e',
    'c/ANY/any/e',
  ]);
  assert.deepEqual(order('c/ANY/flp1/e'), ['c/ANY/flp1/e', 'c/ANY/any/e']);
  assert.deepEqual(order('c/PHYSICS/any/e'), ['c/PHYSICS/any/e', 'c/ANY/any/e']);
  assert.deepEqual(order('c/ANY/any/e'), ['c/ANY/any/e']);
});
