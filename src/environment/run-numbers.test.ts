import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalRunNumbers, runNumbersDir } from './run-numbers.ts';

function stateDir(): string {
  return mkdtempSync(join(tmpdir(), 'axle-runs-'));
}

describe('LocalRunNumbers', () => {
  it('counts from 1 and on across restarts, in <stateDir>/run-numbers', async () => {
    const state = stateDir();
    const first = new LocalRunNumbers(state);
    assert.equal(await first.next(), 1);
    assert.equal(await first.next(), 2);
    await first.close();
    assert.ok(existsSync(join(runNumbersDir(state), 'store.db')));
    const again = new LocalRunNumbers(state);
    assert.equal(await again.next(), 3);
    await again.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('two instances on one state directory never hand out the same number', async () => {
    const state = stateDir();
    const a = new LocalRunNumbers(state);
    const b = new LocalRunNumbers(state);
    const got = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? a : b).next()));
    assert.deepEqual(
      got.sort((x, y) => x - y),
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    await Promise.all([a.close(), b.close()]);
    rmSync(state, { recursive: true, force: true });
  });

  it('continues after the counter file of earlier versions, imported once', async () => {
    const state = stateDir();
    const old = join(state, 'run-number');
    writeFileSync(old, '41\n');
    const runs = new LocalRunNumbers(state);
    assert.equal(await runs.next(), 42);
    assert.ok(!existsSync(old) && existsSync(`${old}.imported`));
    await runs.close();
    copyFileSync(`${old}.imported`, old);
    const again = new LocalRunNumbers(state);
    assert.equal(await again.next(), 43, 'a stale old file never lowers the counter');
    await again.close();
    rmSync(state, { recursive: true, force: true });
  });
});
