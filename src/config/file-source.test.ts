import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../common/config-source.ts';
import { openFileSource } from './file-source.ts';

const YAML = fileURLToPath(new URL('./testdata/config.yaml', import.meta.url));
const JSON_FILE = fileURLToPath(new URL('./testdata/config.json', import.meta.url));
const open = (path = YAML) => openFileSource(path, { hostname: 'core-host', newUid: () => 'UID1' });

/** Asserts `fn` throws a ConfigError whose key is `key` and whose message contains `text`. */
function throwsConfig(fn: () => unknown, key: string, text: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.key, key);
    assert.match(
      e.message,
      typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text,
    );
    return true;
  });
}

test('uri is file://<absolute path>', () => {
  assert.equal(open().uri, `file://${YAML}`);
});

test('defaults: values as text, whitespace trimmed, computed entries added', () => {
  assert.deepEqual(open().getDefaults(), {
    readout_rate: '100',
    log_level: 'info',
    dcs_enabled: 'false',
    empty: '',
    consul_base_uri: `file://${YAML}`,
    consul_hostname: '',
    consul_port: '',
    consul_endpoint: '',
    framework_id: 'fid-0001',
    core_hostname: 'core-host',
  });
  const untrimmed = openFileSource(YAML, { keepVarWhitespace: true });
  assert.equal(untrimmed.getDefaults()['log_level'], '  info  ');
});

test('vars: plain scalars keep their YAML text', () => {
  assert.deepEqual(open().getVars(), { detector: 'tpc', ratio: '1.0', hosts: '["flp001","flp002"]' });
});

test('getComponentConfiguration returns the raw payload, or throws naming the key', () => {
  const src = open();
  assert.equal(src.getComponentConfiguration('readout/PHYSICS/any/readout-cfg', false, {}), 'PHYSICS/any');
  assert.equal(src.getComponentConfiguration('readout/ANY/any/sub/leaf', false, {}), 'leaf in sub');
  throwsConfig(
    () => src.getComponentConfiguration('readout/COSMICS/any/readout-cfg', false, {}),
    'o2/components/readout/COSMICS/any/readout-cfg',
    'no payload at configuration key o2/components/readout/COSMICS/any/readout-cfg',
  );
  throwsConfig(
    () => src.getComponentConfiguration('readout/ANY/any/sub', false, {}),
    'o2/components/readout/ANY/any/sub',
    'found a map',
  );
  throwsConfig(
    () => src.getComponentConfiguration('readout/NOPE/any/x', true, {}),
    'readout/NOPE/any/x',
    'run type',
  );
});

test('processed payload: vars, helpers and a sibling include', () => {
  const out = open().getComponentConfiguration('readout/ANY/any/readout-cfg', true, {
    readout_rate: '42',
    ' detector ': 'its',
  });
  assert.equal(out, '[readout]\nrate=42\n[equipment-ITS]\nenabled=1\n');
});

test('processed payload: undefined vars render empty', () => {
  const out = open().getComponentConfiguration('readout/ANY/any/readout-cfg', true, {});
  assert.equal(out, '[readout]\nrate=\n[equipment-]\nenabled=1\n');
});

test('processed payload: absolute include and include of a sub-entry', () => {
  const src = open();
  assert.equal(
    src.getComponentConfiguration('readout/ANY/any/cross', true, { detector: 'tpc' }),
    'stfb for tpc',
  );
  assert.equal(src.getComponentConfiguration('readout/ANY/any/nested', true, {}), '<leaf in sub>');
});

test('resolveComponentQuery follows exact → run type ANY → role any → ANY/any', () => {
  const src = open();
  const cases: [runType: string, role: string, expected: string][] = [
    ['PHYSICS', 'flp002', 'readout/PHYSICS/flp002/readout-cfg'],
    ['PHYSICS', 'flp001', 'readout/ANY/flp001/readout-cfg'],
    ['PHYSICS', 'flp003', 'readout/PHYSICS/any/readout-cfg'],
    ['COSMICS', 'flp003', 'readout/ANY/any/readout-cfg'],
    ['COSMICS', 'flp002', 'readout/ANY/any/readout-cfg'],
    ['ANY', 'any', 'readout/ANY/any/readout-cfg'],
  ];
  for (const [runType, role, expected] of cases) {
    assert.equal(
      src.resolveComponentQuery('readout', runType, role, 'readout-cfg'),
      expected,
      `${runType}/${role}`,
    );
  }
  throwsConfig(
    () => src.resolveComponentQuery('readout', 'PHYSICS', 'flp001', 'nothing'),
    'readout/PHYSICS/flp001/nothing',
    'could not resolve configuration path o2/components/readout/PHYSICS/flp001/nothing',
  );
  throwsConfig(
    () => src.resolveComponentQuery('readout', 'physics', 'x', 'e'),
    'readout/physics/x/e',
    'run type',
  );
});

test('detectors of hosts: map or empty host values, sorted unique, unknown host named', () => {
  const src = open();
  assert.equal(src.detectorForHost('flp001'), 'TPC');
  assert.equal(src.detectorForHost('flp002'), 'TPC');
  assert.equal(src.detectorForHost('flp003'), 'ITS');
  assert.deepEqual(src.detectorsForHosts(['flp003', 'flp001', 'flp002']), ['ITS', 'TPC']);
  assert.deepEqual(src.detectorsForHosts([]), []);
  throwsConfig(() => src.detectorForHost('flp999'), 'flp999', 'detector not found for host flp999');
  throwsConfig(() => src.detectorsForHosts(['flp001', 'nope']), 'nope', 'host nope');
});

test('cards: unique serials, endpoints per serial, errors name the host', () => {
  const src = open();
  assert.deepEqual(src.cruCardsForHost('flp001'), ['1041', '1042']);
  assert.deepEqual(src.endpointsForCruCard('flp001', '1041'), ['0', '1']);
  assert.deepEqual(src.endpointsForCruCard('flp001', '1042'), ['0', '1']);
  assert.deepEqual(src.endpointsForCruCard('flp001', '9999'), []);
  // as in AliECS, every card is listed whatever its type
  assert.deepEqual(src.cruCardsForHost('flp002'), ['0110']);
  throwsConfig(() => src.cruCardsForHost('flp999'), 'flp999', 'host flp999 not found');
  throwsConfig(() => src.endpointsForCruCard('flp999', '1041'), 'flp999', 'flp999');
  throwsConfig(() => src.cruCardsForHost('flp003'), 'o2/hardware/flps/flp003/cards', 'no card list');
});

test('bad card JSON is a ConfigError naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-config-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(
    file,
    'o2:\n  hardware:\n    flps:\n      h1:\n        cards: "not json{"\n      h2:\n        cards: "[1]"\n',
  );
  const src = openFileSource(file);
  throwsConfig(() => src.cruCardsForHost('h1'), 'o2/hardware/flps/h1/cards', 'bad JSON');
  throwsConfig(() => src.cruCardsForHost('h2'), 'o2/hardware/flps/h2/cards', 'expected a JSON object');
});

test('runtime entries: read, set visible to later get, errors name the key', () => {
  const src = open();
  assert.equal(src.getRuntimeEntry('COG-v1', 'mine'), '{"name": "mine"}');
  assert.equal(src.getRuntimeEntry('aliecs', 'mesos_fid'), 'fid-0001');
  throwsConfig(
    () => src.getRuntimeEntry('aliecs', 'nope'),
    'o2/runtime/aliecs/nope',
    'o2/runtime/aliecs/nope',
  );
  src.setRuntimeEntry('aliecs', 'mesos_fid', 'fid-0002');
  src.setRuntimeEntry('newcomp', 'deep/key', 'v');
  assert.equal(src.getRuntimeEntry('aliecs', 'mesos_fid'), 'fid-0002');
  assert.equal(src.getDefaults()['framework_id'], 'fid-0002');
  assert.equal(src.getRuntimeEntry('newcomp', 'deep/key'), 'v');
  throwsConfig(
    () => src.setRuntimeEntry('aliecs', 'mesos_fid/x', 'v'),
    'o2/runtime/aliecs/mesos_fid/x',
    'holds a value',
  );
  throwsConfig(
    () => src.setRuntimeEntry('aliecs', 'defaults', 'v'),
    'o2/runtime/aliecs/defaults',
    'is a map',
  );
  // a fresh source still has the file's value: the file is not rewritten
  assert.equal(open().getRuntimeEntry('aliecs', 'mesos_fid'), 'fid-0001');
});

test('the JSON file variant answers like the YAML one (numbers become their text)', () => {
  const src = open(JSON_FILE);
  assert.equal(src.uri, `file://${JSON_FILE}`);
  assert.equal(src.getDefaults()['readout_rate'], '100');
  assert.equal(src.getDefaults()['dcs_enabled'], 'false');
  assert.equal(src.getDefaults()['empty'], '');
  assert.equal(src.getVars()['ratio'], '1');
  assert.equal(
    src.resolveComponentQuery('readout', 'PHYSICS', 'flp001', 'readout-cfg'),
    'readout/ANY/flp001/readout-cfg',
  );
  assert.equal(
    src.getComponentConfiguration('readout/ANY/any/readout-cfg', true, {
      readout_rate: '1',
      detector: 'tpc',
    }),
    '[readout]\nrate=1\n[equipment-TPC]\nenabled=1\n',
  );
  assert.deepEqual(src.detectorsForHosts(['flp001', 'flp003']), ['ITS', 'TPC']);
  assert.deepEqual(src.endpointsForCruCard('flp001', '1042'), ['0', '1']);
});

test('unreadable, malformed or non-map files are ConfigErrors naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axle-config-'));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const missing = join(dir, 'missing.yaml');
  throwsConfig(() => openFileSource(missing), missing, 'cannot read');
  const badYaml = write('bad.yaml', 'o2: [1, 2\nx: y\n');
  throwsConfig(() => openFileSource(badYaml), badYaml, /bad configuration file .*bad\.yaml:\d+/);
  const badJson = write('bad.json', '{"o2": ');
  throwsConfig(() => openFileSource(badJson), badJson, 'bad configuration file');
  const list = write('list.yaml', '- a\n- b\n');
  throwsConfig(() => openFileSource(list), list, 'top level must be a map');
  const txt = write('c.txt', 'o2: {}\n');
  throwsConfig(() => openFileSource(txt), txt, 'unsupported configuration file type');
  assert.deepEqual(openFileSource(write('empty.yaml', '')).getVars(), {});
});
