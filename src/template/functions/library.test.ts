import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExprFunction, isValueMap } from '../expr/value.ts';
import { renderTemplate } from '../interpolate.ts';
import { createFunctionLibrary, newUid } from './index.ts';
import { libraryScope, varSource } from './test-support.ts';

const NAMESPACES: Record<string, string[]> = {
  strings: ['Atoi', 'Itoa', 'TrimQuotes', 'TrimSpace', 'ToUpper', 'ToLower', 'IsTruthy', 'IsFalsy'],
  json: ['Unmarshal', 'Deserialize', 'Marshal', 'Serialize', 'Sort'],
  uid: ['New'],
  util: ['PrefixedOverride', 'Dump', 'Nullable', 'SuffixInRange'],
  config: ['Get', 'GetLegacy', 'Resolve', 'ResolvePath'],
  inventory: ['DetectorForHost', 'DetectorsForHosts', 'CRUCardsForHost', 'EndpointsForCRUCard'],
  runtime: ['Get', 'Set'],
};

const ALIASES = [
  'GetConfig',
  'GetConfigLegacy',
  'ResolveConfigPath',
  'DetectorForHost',
  'DetectorsForHosts',
  'CRUCardsForHost',
  'EndpointsForCRUCard',
  'GetRuntimeConfig',
  'Atoi',
  'Itoa',
  'TrimQuotes',
  'TrimSpace',
  'ToUpper',
  'ToLower',
  'IsTruthy',
  'IsFalsy',
  'FromJson',
  'ToJson',
  'NewID',
  'PrefixedOverride',
  'Dump',
  'Nullable',
  'SuffixInRange',
];

test('the library has exactly the documented namespaces, members and aliases', () => {
  const lib = createFunctionLibrary({ newUid })(varSource({}));
  assert.deepEqual(Object.keys(lib).sort(), [...Object.keys(NAMESPACES), ...ALIASES].sort());
  for (const [ns, members] of Object.entries(NAMESPACES)) {
    const value = lib[ns] ?? null;
    assert.ok(isValueMap(value), ns);
    assert.deepEqual(Object.keys(value).sort(), [...members].sort(), ns);
    for (const m of members) assert.ok(value[m] instanceof ExprFunction, `${ns}.${m}`);
  }
  for (const alias of ALIASES) assert.ok(lib[alias] instanceof ExprFunction, alias);
  assert.equal(
    lib['Atoi'],
    (lib['strings'] as Record<string, unknown>)['Atoi'],
    'aliases are the same functions',
  );
  assert.equal(lib['dpl'], undefined, 'dpl.* belongs to the workflow engine');
});

test('shared namespaces are built once; variable-reading ones per variable source', () => {
  const library = createFunctionLibrary({ newUid });
  const one = library(varSource({ x: '1' }));
  const two = library(varSource({ x: '2' }));
  assert.equal(one['strings'], two['strings']);
  assert.equal(one['inventory'], two['inventory']);
  assert.notEqual(one['util'], two['util']);
});

test('uid.New and NewID use the injected generator', () => {
  let n = 0;
  const scope = libraryScope({}, { newUid: () => `id${++n}` });
  assert.equal(renderTemplate('{{ uid.New() }} {{ NewID() }}', scope), 'id1 id2');
});
