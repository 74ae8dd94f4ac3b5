import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { EmbeddedConfigStore, embeddedStoreDir } from './embedded-store.ts';
import { storeContract } from './store-contract.ts';
import { STORE_CHILD_SCRIPT } from './store-contract-support.ts';
import { ConfigStoreError, RUN_NUMBER_KEY, newRunNumber } from './store.ts';

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
  it('lives in <stateDir>/config as a SQLite database in WAL mode, directory 0700 and files 0600', async () => {
    const state = tempDir();
    const store = new EmbeddedConfigStore(embeddedStoreDir(state));
    assert.equal(store.uri, `embedded://${join(state, 'config')}`);
    await store.put('o2/runtime/x', 'y');
    const dir = join(state, 'config');
    assert.deepEqual(readdirSync(dir).sort(), ['store.db', 'store.db-shm', 'store.db-wal']);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const name of readdirSync(dir)) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
    const raw = new Database(join(dir, 'store.db'), { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
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

  it('a write does not rewrite the store: 100 run numbers over 8 MB of values write well under 8 MB', async () => {
    const dir = tempDir();
    const store = new EmbeddedConfigStore(dir);
    const big: Record<string, string> = {};
    for (let i = 0; i < 400; i++) big[`o2/components/big/${i}`] = String(i).padEnd(20_000, '.');
    await store.putMany(big);
    const before = writtenBytes();
    for (let i = 0; i < 100; i++) await newRunNumber(store);
    const written = writtenBytes() - before;
    assert.equal(await store.get(RUN_NUMBER_KEY), '100');
    assert.ok(
      written < 2_000_000,
      `100 run numbers wrote ${written} bytes (a whole-store rewrite is 8 MB each)`,
    );
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a process killed while writing leaves every putMany whole and the store writable', async () => {
    const dir = tempDir();
    const job = { ...childSpec(dir), action: 'put-loop', prefix: 'k' };
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

  it('a process killed while taking run numbers never has a number it got handed out again', async () => {
    const dir = tempDir();
    const job = { ...childSpec(dir), action: 'run-number-loop' };
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', STORE_CHILD_SCRIPT, JSON.stringify(job)]);
      let out = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.split('\n').length > 20 + round * 30) resolve();
        }),
      );
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const got = out
        .split('\n')
        .filter((l) => /^\d+$/.test(l))
        .map(Number);
      const store = new EmbeddedConfigStore(dir);
      const next = await newRunNumber(store);
      assert.ok(
        next > Math.max(...got),
        `after the kill the next number ${next} is above every number handed out`,
      );
      await store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the old data file once on first open, keeping values and indexes', async () => {
    const dir = tempDir();
    const old = { 'o2/runtime/run_number': [7, '41'], 'o2/components/qc/ANY/any/x': [9, 'line 1\nüñï'] };
    const file = join(dir, 'store.data');
    writeFileSync(file, `AXLECFG1 ${'12'.padStart(20, '0')}\n${JSON.stringify(old)}`);
    writeFileSync(join(dir, 'store.lock'), '');
    const store = new EmbeddedConfigStore(dir);
    assert.equal(await store.get('o2/components/qc/ANY/any/x'), 'line 1\nüñï');
    assert.equal(await store.lastIndex('o2/components/qc/ANY/any/x'), 9n);
    assert.equal(await newRunNumber(store), 42);
    assert.ok((await store.lastIndex(RUN_NUMBER_KEY)) > 12n, 'indexes continue after the old generation');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith('store.data') || n === 'store.lock'),
      ['store.data.imported'],
    );
    await store.close();
    copyFileSync(`${file}.imported`, file);
    const again = new EmbeddedConfigStore(dir);
    assert.equal(await again.get(RUN_NUMBER_KEY), '42', 'an old file found later is not imported again');
    await again.close();
    assert.ok(existsSync(file));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a writer locked out longer than busyTimeoutMs fails as unavailable; readers are not blocked', async () => {
    const dir = tempDir();
    const store = new EmbeddedConfigStore(dir, { busyTimeoutMs: 200 });
    await store.put('l/k', 'before');
    const other = new Database(join(dir, 'store.db'));
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    await assert.rejects(
      store.put('l/k', 'blocked'),
      (e) => e instanceof ConfigStoreError && e.code === 'unavailable' && e.message.includes('200 ms'),
    );
    assert.ok(Date.now() - started >= 150, 'it waited for the other writer first');
    assert.equal(await store.get('l/k'), 'before');
    other.exec('COMMIT');
    other.close();
    await store.put('l/k', 'after');
    assert.equal(await store.get('l/k'), 'after');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prunes old tombstones; a watch that fell behind them is told every key under its prefix', async () => {
    const dir = tempDir();
    const options = { pollMs: 3_600_000, tombstoneGenerations: 10 };
    const watching = new EmbeddedConfigStore(dir, options);
    const writer = new EmbeddedConfigStore(dir, options);
    await watching.put('t/kept', '1');
    const seen: string[][] = [];
    const stop = watching.watch('t', (keys) => seen.push([...keys]));
    await writer.put('t/gone', 'x');
    await writer.delete('t/gone');
    for (let i = 0; i < 30; i++) await writer.put(`other/${i}`, String(i));
    const raw = new Database(join(dir, 'store.db'), { readonly: true });
    assert.equal(
      (raw.prepare('SELECT count(*) AS n FROM entries WHERE value IS NULL').get() as { n: number }).n,
      0,
    );
    raw.close();
    await watching.put('t/new', '2');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [['t/kept', 't/new']]);
    stop();
    await Promise.all([watching.close(), writer.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a corrupt database or a corrupt old data file as an io error naming the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'store.db'), 'not a store'.repeat(100));
    const store = new EmbeddedConfigStore(dir);
    const names = (file: string) => (e: unknown) =>
      e instanceof ConfigStoreError && e.code === 'io' && e.message.includes(file);
    await assert.rejects(store.get('a'), names(join(dir, 'store.db')));
    await store.close();
    const legacy = tempDir();
    writeFileSync(join(legacy, 'store.data'), 'not a store');
    const other = new EmbeddedConfigStore(legacy);
    await assert.rejects(other.put('a', 'b'), names(join(legacy, 'store.data')));
    rmSync(join(legacy, 'store.data'));
    await other.put('a', 'b');
    assert.equal(await other.get('a'), 'b');
    await other.close();
    assert.equal(readFileSync(join(dir, 'store.db'), 'utf8').slice(0, 11), 'not a store');
    rmSync(dir, { recursive: true, force: true });
    rmSync(legacy, { recursive: true, force: true });
  });
});

function childSpec(dir: string) {
  return { module: MODULE, exportName: 'EmbeddedConfigStore', arg: dir };
}

/** Bytes this process has passed to write(2) so far (Linux /proc/self/io `wchar`). */
function writtenBytes(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('wchar:'));
  return Number(line?.split(':')[1]);
}
