/**
 * coconut's `env create -c consul://o2/runtime/COG-v1/<name>` asks the core's Apricot for runtime entry
 * `/<name>` of component `COG-v1` (it strips the prefix only): the key is normalised, as AliECS's Consul source does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apricotClient } from './apricot-client.ts';
import { startCore } from './core.ts';

test('runtime keys with leading or trailing slashes name the same entry (coconut -c consul://…)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-runtime-entry-'));
  const core = await startCore({ stateDir: root, port: 0, config: `embedded://${join(root, 'config')}` });
  try {
    const c = apricotClient(`apricot://127.0.0.1:${core.port}`);
    const saved = JSON.stringify({ name: 'mine', workflow: 'minimal', variables: { a: '1' } });
    await c.setRuntimeEntry({ component: 'COG-v1', key: '/mine', value: saved });
    assert.equal((await c.getRuntimeEntry({ component: 'COG-v1', key: '/mine' })).payload, saved);
    assert.equal((await c.getRuntimeEntry({ component: 'COG-v1', key: 'mine' })).payload, saved);
    assert.equal((await c.getRuntimeEntry({ component: 'COG-v1', key: '//mine/' })).payload, saved);
    assert.deepEqual((await c.listRuntimeEntries({ component: 'COG-v1' })).payload, ['mine']);
    await assert.rejects(
      c.getRuntimeEntry({ component: 'COG-v1', key: '/' }),
      /key: invalid runtime key "\/"/,
    );
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
