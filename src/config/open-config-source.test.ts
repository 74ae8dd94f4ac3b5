import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../common/config-source.ts';
import { emptyConfigSource, openConfigSource } from './open-config-source.ts';

const YAML = fileURLToPath(new URL('./testdata/config.yaml', import.meta.url));

test('file URIs and plain paths open the file source', () => {
  for (const uri of [
    `file://${YAML}`,
    YAML,
    relative(process.cwd(), YAML),
    `file://${relative(process.cwd(), YAML)}`,
  ]) {
    const src = openConfigSource(uri);
    assert.equal(src.uri, `file://${YAML}`, uri);
    assert.equal(src.detectorForHost('flp003'), 'ITS');
  }
});

test('other schemes and empty URIs are ConfigErrors', () => {
  for (const [uri, text] of [
    ['apricot://localhost:32101', 'not supported yet: apricot'],
    ['etcd://10.0.0.1:2379', 'not supported yet: etcd'],
    ['consul://127.0.0.1:8500', 'not supported yet: consul'],
    ['  ', 'empty configuration URI'],
    ['file://', 'no path'],
  ] as const) {
    assert.throws(
      () => openConfigSource(uri),
      (e: unknown) => e instanceof ConfigError && e.key === uri && e.message.includes(text),
      uri,
    );
  }
});

test('the empty source has no defaults or vars and throws on every lookup', () => {
  const src = emptyConfigSource();
  assert.deepEqual(src.getDefaults(), {});
  assert.deepEqual(src.getVars(), {});
  assert.deepEqual(src.detectorsForHosts([]), []);
  const lookups: [() => unknown, string][] = [
    [() => src.getComponentConfiguration('c/ANY/any/e', true, {}), 'c/ANY/any/e'],
    [() => src.resolveComponentQuery('c', 'ANY', 'any', 'e'), 'c/ANY/any/e'],
    [() => src.detectorForHost('h'), 'h'],
    [() => src.detectorsForHosts(['h']), 'h'],
    [() => src.cruCardsForHost('h'), 'h'],
    [() => src.endpointsForCruCard('h', 's'), 'h/s'],
    [() => src.getRuntimeEntry('c', 'k'), 'c/k'],
    [() => src.setRuntimeEntry('c', 'k', 'v'), 'c/k'],
  ];
  for (const [fn, key] of lookups) {
    assert.throws(
      fn,
      (e: unknown) => e instanceof ConfigError && e.key === key && e.message.includes(key),
      key,
    );
  }
});
