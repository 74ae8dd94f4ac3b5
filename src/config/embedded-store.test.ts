import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EmbeddedConfigStore, embeddedStoreDir } from './embedded-store.ts';
import { storeContract } from './store-contract.ts';
import { STORE_CHILD_SCRIPT } from './store-contract-support.ts';
import { ConfigStoreError } from './store.ts';

const MODULE = new URL('./embedded-store.ts', import.meta.url).href;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'axle-embedded-'));
}

storeContract('embedded', () => {
  const dir = tempDir();
  return Promise.resolve({
    open: () => new EmbeddedConfigStore(dir, { pollMs: 50 }),
    child: { module: MODULE, exportName: 'EmbeddedConfigStore', arg: dir },
    dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
});

describe('EmbeddedConfigStore', () => {
  it('lives in <stateDir>/config and names it in its uri', async () => {
    const state = tempDir();
    const store = new EmbeddedConfigStore(embeddedStoreDir(state));
    assert.equal(store.uri, `embedded://${join(state, 'config')}`);
    await store.put('o2/runtime/x', 'y');
    assert.deepEqual(readdirSync(join(state, 'config')).sort(), ['store.data', 'store.lock']);
    await store.close();
    await assert.rejects(
      store.get('o2/runtime/x'),
      (e) => e instanceof ConfigStoreError && e.code === 'unavailable',
    );
    const again = new EmbeddedConfigStore(embeddedStoreDir(state));
    assert.equal(await again.get('o2/runtime/x'), 'y');
    await again.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('a process killed while writing leaves every putMany whole and the lock free', async () => {
    const dir = tempDir();
    const job = {
      module: MODULE,
      exportName: 'EmbeddedConfigStore',
      arg: dir,
      action: 'put-loop',
      prefix: 'k',
    };
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', STORE_CHILD_SCRIPT, JSON.stringify(job)]);
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 50 + round * 40));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const store = new EmbeddedConfigStore(dir);
      const a = await store.get('k/a');
      assert.ok(a !== undefined && Number(a) >= 1);
      assert.equal(await store.get('k/b'), a, 'both keys of the last putMany');
      await store.put('k/after', String(round));
      assert.equal(await store.get('k/after'), String(round));
      await store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a corrupt data file as an io error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'store.data'), 'not a store');
    const store = new EmbeddedConfigStore(dir);
    await assert.rejects(store.get('a'), (e) => e instanceof ConfigStoreError && e.code === 'io');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
