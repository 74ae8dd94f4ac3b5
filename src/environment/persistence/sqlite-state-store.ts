/**
 * The StateStore in one SQLite file (better-sqlite3), WAL mode with `synchronous = FULL`: a write has reached the
 * disk when the call returns. One row per environment (its plan and header as JSON), one row per task, and a `meta`
 * table for the run-number high-water mark. The folder is made 0700 and the database files 0600.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { StateStoreError } from './state-store.ts';
import type { StateStore, StoredEnvironment, StoredTask } from './state-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS environments (
  id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, plan TEXT NOT NULL, header TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
  task_id TEXT PRIMARY KEY, environment_id TEXT NOT NULL, position INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_environment ON tasks (environment_id, position);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

type Header = Omit<StoredEnvironment, 'plan' | 'tasks'>;
interface EnvRow {
  readonly id: string;
  readonly plan: string;
  readonly header: string;
}
interface TaskRow {
  readonly environment_id: string;
  readonly record: string;
}

export class SqliteStateStore implements StateStore {
  private readonly db: Db;
  private readonly putEnv: Statement<[string, number, string, string]>;
  private readonly putTask: Statement<[string, string, number, string]>;
  private readonly hasEnv: Statement<[string]>;

  /** Opens (creating when absent) the database at `path`; throws StateStoreError naming the file. */
  constructor(private readonly path: string) {
    try {
      this.db = openDatabase(path);
    } catch (e: unknown) {
      throw new StateStoreError(
        `cannot open state database ${path}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.putEnv = this.db.prepare(
      'INSERT OR REPLACE INTO environments (id, created_at, plan, header) VALUES (?, ?, ?, ?)',
    );
    this.putTask = this.db.prepare(
      'INSERT OR REPLACE INTO tasks (task_id, environment_id, position, record) VALUES (?, ?, ?, ?)',
    );
    this.hasEnv = this.db.prepare('SELECT 1 FROM environments WHERE id = ?');
  }

  loadEnvironments(): StoredEnvironment[] {
    const envs = this.db
      .prepare('SELECT id, plan, header FROM environments ORDER BY created_at, id')
      .all() as EnvRow[];
    const tasks = this.db
      .prepare('SELECT environment_id, record FROM tasks ORDER BY position')
      .all() as TaskRow[];
    const byEnv = new Map<string, StoredTask[]>();
    for (const t of tasks) {
      const list = byEnv.get(t.environment_id) ?? [];
      list.push(this.parse<StoredTask>(t.record, `task of environment ${t.environment_id}`));
      byEnv.set(t.environment_id, list);
    }
    return envs.map((row) => ({
      ...this.parse<Header>(row.header, `environment ${row.id}`),
      plan: this.parse(row.plan, `plan of environment ${row.id}`),
      tasks: byEnv.get(row.id) ?? [],
    }));
  }

  saveEnvironment(env: StoredEnvironment): void {
    const { plan, tasks, ...header } = env;
    this.db.transaction(() => {
      this.putEnv.run(env.id, env.createdAt, JSON.stringify(plan), JSON.stringify(header));
      this.db.prepare('DELETE FROM tasks WHERE environment_id = ?').run(env.id);
      for (const t of tasks) this.putTask.run(t.taskId, env.id, t.position, JSON.stringify(t));
    })();
  }

  saveTasks(environmentId: string, tasks: readonly StoredTask[]): void {
    this.db.transaction(() => {
      if (this.hasEnv.get(environmentId) === undefined) return;
      for (const t of tasks) this.putTask.run(t.taskId, environmentId, t.position, JSON.stringify(t));
    })();
  }

  removeEnvironment(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM tasks WHERE environment_id = ?').run(id);
      this.db.prepare('DELETE FROM environments WHERE id = ?').run(id);
    })();
  }

  runNumberHighWater(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'run_number'").get() as
      { value: string } | undefined;
    return row === undefined ? 0 : Number(row.value) || 0;
  }

  recordRunNumber(n: number): void {
    this.db.transaction(() => {
      if (n > this.runNumberHighWater())
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('run_number', ?)").run(String(n));
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private parse<T>(text: string, what: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (e: unknown) {
      throw new StateStoreError(
        `${this.path}: ${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}

/** The database with its schema, WAL and full sync; the folder 0700 and the files 0600. */
function openDatabase(path: string): Db {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  for (const extra of [`${path}-wal`, `${path}-shm`]) if (existsSync(extra)) chmodSync(extra, 0o600);
  return db;
}
