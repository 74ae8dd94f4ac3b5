import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaled, TestTimeout, waitUntil, within } from './wait.ts';

test('waitUntil resolves once the predicate holds', async () => {
  let n = 0;
  await waitUntil('three polls', () => ++n >= 3, 2000, 1);
  assert.equal(n, 3);
});

test('waitUntil says how long it waited and for what when it expires', async () => {
  await assert.rejects(
    waitUntil('the moon to turn blue', () => false, 30, 5),
    (e: unknown) =>
      e instanceof TestTimeout &&
      e.message === `timed out after ${scaled(30)} ms waiting for the moon to turn blue`,
  );
});

test('within passes results through and names what it waited for when it expires', async () => {
  assert.equal(await within('a value', Promise.resolve(7), 1000), 7);
  await assert.rejects(
    within('a reply', new Promise(() => undefined), 20),
    /timed out after \d+ ms waiting for a reply/,
  );
});

test('the limits scale with AXLE_TEST_TIME_SCALE', () => {
  const saved = process.env.AXLE_TEST_TIME_SCALE;
  try {
    process.env.AXLE_TEST_TIME_SCALE = '2.5';
    assert.equal(scaled(1000), 2500);
    process.env.AXLE_TEST_TIME_SCALE = 'nonsense';
    assert.equal(scaled(1000), 1000);
  } finally {
    if (saved === undefined) delete process.env.AXLE_TEST_TIME_SCALE;
    else process.env.AXLE_TEST_TIME_SCALE = saved;
  }
});
