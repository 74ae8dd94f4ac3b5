import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EmbeddedConfigStore } from './embedded-store.ts';
import { MemoryConfigStore } from './memory-store.ts';
import { parseYamlTree } from './read-tree.ts';
import { ConfigStoreError } from './store.ts';
import { exportTree, importTree } from './tree-io.ts';

const DOC = `o2:
  components:
    readout:
      ANY:
        any:
          readout-cfg: |
            [readout]
            rate = {{ rate }}
            name = "ünïcødé ✓"
          plain: 1.0
      PHYSICS:
        flp001:
          list: [1, two]
  hardware:
    detectors:
      TST:
        flps:
          flp001: ""
    flps:
      flp001:
        cards: '{"key0": {"serial": "1234", "endpoint": "0"}}'
  runtime:
    aliecs:
      defaults:
        truthy: true
        empty:
        spaced: "  padded  "
`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function embedded(): EmbeddedConfigStore {
  const dir = mkdtempSync(join(tmpdir(), 'axle-tree-'));
  dirs.push(dir);
  return new EmbeddedConfigStore(dir);
}

describe('importTree / exportTree', () => {
  it('imports every leaf as a key with its source text', async () => {
    const store = embedded();
    assert.equal(await importTree(store, DOC), 8);
    assert.equal(await store.get('o2/components/readout/ANY/any/plain'), '1.0');
    assert.equal(
      await store.get('o2/components/readout/ANY/any/readout-cfg'),
      '[readout]\nrate = {{ rate }}\nname = "ünïcødé ✓"\n',
    );
    assert.equal(await store.get('o2/components/readout/PHYSICS/flp001/list'), '["1","two"]');
    assert.equal(await store.get('o2/runtime/aliecs/defaults/empty'), '');
    assert.equal(await store.get('o2/runtime/aliecs/defaults/spaced'), '  padded  ');
    assert.deepEqual(await store.list('o2/hardware/detectors/TST/flps'), ['flp001']);
    await store.close();
  });

  it('round-trips: export then import gives the same keys and values', async () => {
    const first = embedded();
    await importTree(first, DOC);
    const text = await exportTree(first);
    const second = new MemoryConfigStore();
    await importTree(second, text);
    assert.deepEqual([...(await second.getRecursive('o2'))], [...(await first.getRecursive('o2'))]);
    assert.equal(await exportTree(second), text);
    assert.ok(parseYamlTree('export.yaml', text) instanceof Map);
    await first.close();
  });

  it('exports a subtree rooted at the top, and {} when empty', async () => {
    const store = new MemoryConfigStore();
    await importTree(store, DOC);
    const text = await exportTree(store, 'o2/hardware/flps');
    assert.match(text, /^o2:\n {2}hardware:\n {4}flps:\n {6}flp001:\n {8}cards: /);
    assert.equal(await exportTree(store, 'o2/nothing'), '{}\n');
  });

  it('refuses bad YAML and non-map documents, writing nothing', async () => {
    const store = new MemoryConfigStore();
    const invalid = (e: unknown): boolean => e instanceof ConfigStoreError && e.code === 'invalid';
    await assert.rejects(importTree(store, 'o2: [unclosed'), invalid);
    await assert.rejects(importTree(store, '- a\n- b\n'), invalid);
    assert.equal((await store.getRecursive('')).size, 0);
  });

  it('refuses to export a key that is both a value and a directory', async () => {
    const store = new MemoryConfigStore({ 'o2/a': 'leaf', 'o2/a/b': 'child' });
    await assert.rejects(exportTree(store), (e) => e instanceof ConfigStoreError && e.key === 'o2/a/b');
  });
});
