import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entryModule, RUNNING_COMPILED } from './compiled-entry.ts';

test('tests run the sources: entry modules stay .ts', () => {
  assert.equal(RUNNING_COMPILED, false);
  const source = new URL('../agent/main.ts', import.meta.url);
  assert.equal(entryModule(source).href, source.href);
});

test('compiled, an entry module is its .js sibling in the same place', () => {
  const source = new URL('file:///opt/axle/dist/workflow/plan%20worker.ts');
  assert.equal(entryModule(source, true).href, 'file:///opt/axle/dist/workflow/plan%20worker.js');
  const other = new URL('file:///opt/axle/dist/tasks/run.sh');
  assert.equal(entryModule(other, true).href, other.href);
});
