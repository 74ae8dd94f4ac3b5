import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';
import { parseHookMoment } from './hook-moment.ts';

test('Go durations', () => {
  const cases: [string, number | undefined][] = [
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['0s', 0],
    ['0', 0],
    ['140s', 140_000],
    ['', undefined],
    ['10', undefined],
    ['5 s', undefined],
    ['s', undefined],
    ['-1s', -1000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('hook moments', () => {
  assert.deepEqual(parseHookMoment('before_START_ACTIVITY+100'), {
    ok: true,
    moment: { name: 'before_START_ACTIVITY', weight: 100 },
  });
  assert.deepEqual(parseHookMoment('after_STOP_ACTIVITY-50'), {
    ok: true,
    moment: { name: 'after_STOP_ACTIVITY', weight: -50 },
  });
  assert.deepEqual(parseHookMoment('enter_RUNNING'), {
    ok: true,
    moment: { name: 'enter_RUNNING', weight: 0 },
  });
  assert.deepEqual(parseHookMoment('DESTROY'), { ok: true, moment: { name: 'DESTROY', weight: 0 } });
  const bare = parseHookMoment('CONFIGURE');
  assert.ok(bare.ok && bare.warning !== undefined);
  for (const bad of ['before_FOO', 'enter_CONFIGURE', 'sometime', 'before_START+x']) {
    const r = parseHookMoment(bad);
    assert.equal(r.ok, false, bad);
  }
});
