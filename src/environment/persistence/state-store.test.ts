/** The state stores: one contract for the SQLite and in-memory implementations, plus the SQLite file's properties. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { sampleEnvironment, stateStoreContract } from '../testing/state-store-contract.ts';
import { MemoryStateStore } from './memory-state-store.ts';
import { SqliteStateStore } from './sqlite-state-store.ts';
import { StateStoreError } from './state-store.ts';

const root = mkdtempSync(join(tmpdir(), 'axle-state-store-'));
let n = 0;
after(() => rmSync(root, { recursive: true, force: true }));

stateStoreContract('sqlite', {
  open: () => {
    const path = join(root, `s${n++}`, 'state', 'core.sqlite');
    let store = new SqliteStateStore(path);
    return {
      store,
      reopen: () => {
        store.close();
        store = new SqliteStateStore(path);
        return store;
      },
    };
  },
});

stateStoreContract('memory', {
  open: () => {
    const store = new MemoryStateStore();
    return { store, reopen: () => store };
  },
});

test('sqlite: the database is in WAL mode, its folder 0700 and its files 0600', () => {
  const dir = join(root, 'modes', 'state');
  const path = join(dir, 'core.sqlite');
  const store = new SqliteStateStore(path);
  store.saveEnvironment(sampleEnvironment('e1', 1));
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const f of [path, `${path}-wal`, `${path}-shm`])
    if (existsSync(f)) assert.equal(statSync(f).mode & 0o777, 0o600, `${f} is 0600`);
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  store.close();
});

test('sqlite: a write is visible to another connection as soon as the call returns', () => {
  const path = join(root, 'visible', 'core.sqlite');
  const store = new SqliteStateStore(path);
  store.saveEnvironment(sampleEnvironment('e1', 1));
  store.recordRunNumber(12);
  const other = new SqliteStateStore(path);
  assert.deepEqual(
    other.loadEnvironments().map((e) => e.id),
    ['e1'],
  );
  assert.equal(other.runNumberHighWater(), 12);
  other.close();
  store.close();
});

test('sqlite: a file that is no database gives a StateStoreError naming it', () => {
  const path = join(root, 'bad.sqlite');
  writeFileSync(path, 'not a database, just text that is long enough to be a header of sorts');
  assert.throws(
    () => new SqliteStateStore(path),
    (e: unknown) => e instanceof StateStoreError && e.message.includes(path),
  );
});
