import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition } from './var-condition.ts';

const vars = { qc_enabled: 'true', dcs_enabled: 'false', rate: '50', run_type: 'PHYSICS' };
const value = (e: string): boolean | string => {
  const c = evaluateCondition(e, vars);
  return c.ok ? c.value : c.reason;
};

test('$$ variables compare as text, numbers as numbers, with ! && || and parentheses', () => {
  assert.equal(value(''), true);
  assert.equal(value('$$qc_enabled === "true"'), true);
  assert.equal(value('$$qc_enabled === true'), true);
  assert.equal(value("$$dcs_enabled == 'true'"), false);
  assert.equal(value('$$dcs_enabled'), false);
  assert.equal(value('!$$dcs_enabled && $$qc_enabled'), true);
  assert.equal(value('$$rate > 10 && ($$run_type !== "COSMICS" || $$dcs_enabled)'), true);
  assert.equal(value('$$rate <= 10 || $$nosuch === ""'), true);
  assert.equal(value('$$rate >= -1'), true);
});

test('a malformed expression is an error in words, never code that runs', () => {
  assert.match(String(value('$$qc_enabled === ')), /ends too early/);
  assert.match(String(value('alert(1)')), /unexpected "alert"/);
  assert.match(String(value('$$a; process.exit()')), /unexpected ";" at column 4/);
  assert.match(String(value('"open')), /unterminated string/);
  assert.match(String(value('($$qc_enabled')), /"\)" is missing/);
});
