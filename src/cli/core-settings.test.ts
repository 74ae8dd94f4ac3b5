import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCoreSettings } from './core-settings.ts';

function withFile(text: string, f: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'axle-settings-'));
  try {
    const file = join(dir, 'settings.yaml');
    writeFileSync(file, text);
    f(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('settings: flag over ALIECS_<NAME> over the settings file over the AliECS default', () => {
  withFile(
    'integrationPlugins: [trg, dcs]\ntrgServiceEndpoint: //10.0.0.1:1\ndcsServiceEndpoint: //10.0.0.2:2\nkafkaEndpoints: [k1:9092, k2:9092]\nunrelated: { a: 1 }\n',
    (file) => {
      const s = resolveCoreSettings(
        { trgServiceEndpoint: '//127.0.0.1:7' },
        { ALIECS_DCSSERVICEENDPOINT: '//127.0.0.1:8' },
        file,
      );
      assert.deepEqual(s.plugins.integrationPlugins, ['trg', 'dcs']);
      assert.equal(s.plugins.values['trgServiceEndpoint'], '//127.0.0.1:7', 'the flag wins');
      assert.equal(s.plugins.values['dcsServiceEndpoint'], '//127.0.0.1:8', 'the environment beats the file');
      assert.equal(s.plugins.values['odcEndpoint'], '//127.0.0.1:50053', "AliECS's default");
      assert.equal(s.plugins.values['trgPollingInterval'], '3s');
      assert.deepEqual(s.kafkaEndpoints, ['k1:9092', 'k2:9092']);
    },
  );
  const fromEnv = resolveCoreSettings(
    {},
    { ALIECS_INTEGRATIONPLUGINS: 'trg, ddsched', ALIECS_KAFKAENDPOINTS: 'a:1' },
  );
  assert.deepEqual(fromEnv.plugins.integrationPlugins, ['trg', 'ddsched']);
  assert.deepEqual(fromEnv.kafkaEndpoints, ['a:1']);
  assert.deepEqual(resolveCoreSettings({}, {}).plugins.integrationPlugins, []);
});

test('settings: a malformed settings file is refused naming the file and the key', () => {
  withFile('trgServiceEndpoint: [a, b]\n', (file) =>
    assert.throws(
      () => resolveCoreSettings({}, {}, file),
      new RegExp(`--settings ${file}: trgServiceEndpoint: expected a text value`),
    ),
  );
  withFile('- a\n- b\n', (file) =>
    assert.throws(() => resolveCoreSettings({}, {}, file), /expected a map of settings/),
  );
  withFile('a: [\n', (file) =>
    assert.throws(() => resolveCoreSettings({}, {}, file), /--settings .*settings\.yaml: /),
  );
  assert.throws(
    () => resolveCoreSettings({}, {}, '/nonexistent/s.yaml'),
    /--settings \/nonexistent\/s\.yaml: .*ENOENT/,
  );
});
