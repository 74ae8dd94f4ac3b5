import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTROL_PORTS, TCP_PORTS, parsePortRange, portAfter, rangeSize, splitRange } from './ports.ts';

test('default ranges: control ports from 30000, TCP channel ports from 9000, disjoint', () => {
  assert.equal(CONTROL_PORTS.first, 30000);
  assert.equal(TCP_PORTS.first, 9000);
  assert.ok(TCP_PORTS.last < CONTROL_PORTS.first);
});

test('parsePortRange reads first-last and single ports, refuses nonsense', () => {
  assert.deepEqual(parsePortRange('9000-9100'), { first: 9000, last: 9100 });
  assert.deepEqual(parsePortRange(' 31000 '), { first: 31000, last: 31000 });
  assert.equal(parsePortRange('9100-9000'), undefined);
  assert.equal(parsePortRange('0-10'), undefined);
  assert.equal(parsePortRange('70000'), undefined);
  assert.equal(parsePortRange('a-b'), undefined);
});

test('portAfter wraps inside the range and starts at the first port from outside', () => {
  const r = { first: 10, last: 12 };
  assert.equal(portAfter(r, 0, 1), 10);
  assert.equal(portAfter(r, 10, 1), 11);
  assert.equal(portAfter(r, 12, 1), 10);
  assert.equal(portAfter(r, 11, 3), 11);
});

test('splitRange gives disjoint slices covering the range', () => {
  const slices = splitRange({ first: 100, last: 199 }, 3);
  assert.equal(slices.length, 3);
  assert.deepEqual(slices[0], { first: 100, last: 132 });
  assert.equal(slices[2]?.last, 199);
  assert.equal(
    slices.reduce((n, s) => n + rangeSize(s), 0),
    100,
  );
  assert.equal(splitRange({ first: 1, last: 2 }, 5).length, 2);
});
