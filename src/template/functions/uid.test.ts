import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newUid } from './uid.ts';

test('newUid gives unique, ordered, 11-character alphanumeric ids', () => {
  const ids = Array.from({ length: 20_000 }, () => newUid(1_764_000_000_000));
  for (const id of ids.slice(0, 50)) assert.match(id, /^[0-9A-Za-z]{11}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  const later = newUid(1_764_000_100_000);
  assert.ok(later > ids[ids.length - 1]!);
});
