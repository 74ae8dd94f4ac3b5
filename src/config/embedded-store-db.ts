/**
 * The embedded store's SQLite database (`store.db` in the store directory, WAL mode, better-sqlite3). Every write is
 * one `BEGIN IMMEDIATE` transaction, so writers of several processes are serialized by SQLite's own lock and wait
 * for each other up to the busy timeout; readers never wait for writers. better-sqlite3 is synchronous: a write that
 * waits for another process's write blocks this event loop meanwhile, which is short since a write transaction holds
 * the lock for its own few statements and one sync.
 *
 * Durability: `synchronous = FULL`. With WAL, NORMAL already survives a crash of the process (a commit has reached
 * the kernel when it returns), but not a power loss or a kernel crash: commits since the last sync of the WAL can be
 * rolled back, and a run number already handed out would be handed out again. FULL syncs the WAL at every commit,
 * so a value a write returned is never lost; it costs one fsync per write (≈ 0.3 ms on an ext4 virtual disk).
 *
 * Schema (user_version 1): `entries(key, value, idx)` where idx is the generation of the key's last write and a NULL
 * value is a tombstone (a deleted key, kept so that watchers of other processes see the deletion; pruned after
 * `tombstoneGenerations` generations); `meta(name, value)` with `generation` (the global write counter, bumped once
 * per write transaction) and `horizon` (tombstones up to this generation were pruned).
 * @module
 */
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LEGACY_DATA_FILE, readLegacyData } from './embedded-store-legacy.ts';
import type { LegacyData } from './embedded-store-legacy.ts';
import { ConfigStoreError } from './store.ts';

/** The database's file name in the store directory (with `-wal` and `-shm` beside it while open). */
export const DB_FILE = 'store.db';
const SCHEMA_VERSION = 1;
/** How an open database behaves. */
export interface StoreDbOptions {
  /** How long a write waits for another process's write (ms). */
  readonly busyTimeoutMs: number;
  /** Tombstones older than this many generations are pruned (checked every keep/100 generations, at most 1,000). */
  readonly tombstoneGenerations: number;
}

const SCHEMA = `
  CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT, idx INTEGER NOT NULL);
  CREATE INDEX entries_by_idx ON entries (idx);
  CREATE INDEX tombstones_by_idx ON entries (idx) WHERE value IS NULL;
  CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO meta (name, value) VALUES ('generation', 0), ('horizon', 0);
`;

/** Reads and writes inside one write transaction; `set(key, null)` deletes. */
export interface Writer {
  get(key: string): string | undefined;
  set(key: string, value: string | null): void;
}

/** Keys written since a generation; `all` when the generation is older than the tombstone horizon. */
export interface ChangesSince {
  readonly generation: number;
  readonly keys: readonly string[];
}

/** An open database; methods are synchronous and throw SqliteError (mapped to ConfigStoreError by the store). */
export class StoreDb {
  private readonly statements: ReturnType<typeof prepare>;
  private readonly write: Database.Transaction<(fn: (w: Writer) => unknown) => unknown>;
  private readonly read: Database.Transaction<(fn: () => unknown) => unknown>;

  private readonly pruneEvery: number;

  private constructor(
    private readonly db: Database.Database,
    private readonly keepTombstones: number,
  ) {
    this.pruneEvery = Math.max(1, Math.min(1_000, Math.floor(keepTombstones / 100)));
    this.statements = prepare(db);
    this.write = db.transaction((fn: (w: Writer) => unknown) => this.inWrite(fn));
    this.read = db.transaction((fn: () => unknown) => fn());
  }

  /** Opens (creating, and importing an old data file once) the database of the store directory `dir`. */
  static open(dir: string, options: StoreDbOptions): StoreDb {
    const file = join(dir, DB_FILE);
    closeSync(openSync(file, 'a', 0o600)); // SQLite creates -wal and -shm with the database file's mode
    const db = new Database(file);
    let imported: boolean;
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      imported = db.transaction(() => migrate(db, dir)).immediate();
    } catch (e) {
      db.close();
      throw e;
    }
    if (imported) retireLegacy(dir);
    return new StoreDb(db, options.tombstoneGenerations);
  }

  get(key: string): string | undefined {
    const row = this.statements.get.get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** The generation of the key's last write; 0 when absent. */
  index(key: string): number {
    const row = this.statements.index.get(key) as { idx: number } | undefined;
    return row?.idx ?? 0;
  }

  /** Live entries equal to `prefix` or under `prefix/` (all when `prefix` is empty), in one snapshot. */
  entries(prefix: string): [string, string][] {
    return this.snapshot(() => {
      if (prefix === '') return this.statements.all.raw().all() as [string, string][];
      const under = this.statements.under.raw().all(`${prefix}/`, `${prefix}0`) as [string, string][];
      const self = this.get(prefix);
      return self === undefined ? under : [[prefix, self], ...under];
    });
  }

  /** Runs `fn` in one write transaction; the generation is bumped once if `fn` changed anything. */
  transact<T>(fn: (w: Writer) => T): T {
    return this.write.immediate(fn) as T;
  }

  /** Runs the reads of `fn` in one read transaction (one snapshot). */
  private snapshot<T>(fn: () => T): T {
    return this.read(fn) as T;
  }

  /** The current generation and the keys written (or deleted) after generation `since`. */
  changesSince(since: number): ChangesSince {
    return this.snapshot(() => {
      const generation = this.meta('generation');
      if (generation === since) return { generation, keys: [] };
      const stale = since < this.meta('horizon');
      const rows = (stale ? this.statements.allKeys.raw().all() : this.statements.since.raw().all(since)) as [
        string,
      ][];
      return { generation, keys: rows.map(([k]) => k) };
    });
  }

  /** The current generation. */
  generation(): number {
    return this.meta('generation');
  }

  close(): void {
    this.db.close();
  }

  private inWrite<T>(fn: (w: Writer) => T): T {
    let generation: number | undefined;
    const result = fn({
      get: (key) => this.get(key),
      set: (key, value) => {
        generation ??= (this.statements.bump.get() as { value: number }).value;
        this.statements.upsert.run(key, value, generation);
      },
    });
    if (generation !== undefined && generation % this.pruneEvery === 0) {
      const horizon = generation - this.keepTombstones;
      if (horizon > 0 && this.statements.prune.run(horizon).changes > 0)
        this.statements.setHorizon.run(horizon);
    }
    return result;
  }

  private meta(name: 'generation' | 'horizon'): number {
    const row = this.statements.meta.get(name) as { value: number } | undefined;
    return row?.value ?? 0;
  }
}

function prepare(db: Database.Database) {
  return {
    get: db.prepare('SELECT value FROM entries WHERE key = ? AND value IS NOT NULL'),
    index: db.prepare('SELECT idx FROM entries WHERE key = ? AND value IS NOT NULL'),
    all: db.prepare('SELECT key, value FROM entries WHERE value IS NOT NULL'),
    under: db.prepare('SELECT key, value FROM entries WHERE key >= ? AND key < ? AND value IS NOT NULL'),
    allKeys: db.prepare('SELECT key FROM entries'),
    since: db.prepare('SELECT key FROM entries WHERE idx > ?'),
    meta: db.prepare('SELECT value FROM meta WHERE name = ?'),
    bump: db.prepare("UPDATE meta SET value = value + 1 WHERE name = 'generation' RETURNING value"),
    upsert: db.prepare(
      'INSERT INTO entries (key, value, idx) VALUES (?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, idx = excluded.idx',
    ),
    prune: db.prepare('DELETE FROM entries WHERE value IS NULL AND idx <= ?'),
    setHorizon: db.prepare("UPDATE meta SET value = max(value, ?) WHERE name = 'horizon'"),
  };
}

/** Creates the schema in a new database, importing the old data file; true when it imported one. */
function migrate(db: Database.Database, dir: string): boolean {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return false;
  if (version !== 0) {
    throw new ConfigStoreError(
      'io',
      `configuration store ${join(dir, DB_FILE)} has schema version ${version}; this Axle reads version ${SCHEMA_VERSION}`,
    );
  }
  db.exec(SCHEMA);
  const legacy = readLegacyData(join(dir, LEGACY_DATA_FILE));
  if (legacy !== undefined) importLegacy(db, legacy);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return legacy !== undefined;
}

/** Copies the old file's keys with their indexes; the generation continues from the old one. */
function importLegacy(db: Database.Database, legacy: LegacyData): void {
  const insert = db.prepare('INSERT INTO entries (key, value, idx) VALUES (?, ?, ?)');
  for (const e of legacy.entries) insert.run(e.key, e.value, e.index);
  const top = legacy.entries.reduce((max, e) => Math.max(max, e.index), legacy.generation);
  db.prepare("UPDATE meta SET value = ? WHERE name = 'generation'").run(top);
}

/** After an import: the old data file is kept as `store.data.imported`; its lock and temp files are removed. */
function retireLegacy(dir: string): void {
  const data = join(dir, LEGACY_DATA_FILE);
  try {
    renameSync(data, `${data}.imported`);
  } catch {
    // the database records the import (user_version): a leftover file is never imported again
  }
  for (const name of ['store.lock', `${LEGACY_DATA_FILE}.tmp`]) rmSync(join(dir, name), { force: true });
}
