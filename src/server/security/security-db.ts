/**
 * The security database: `<state dir>/security.db` (SQLite through better-sqlite3, WAL, `synchronous = FULL`), with
 * two tables of its own so that it can later join the core's general state database:
 * `security_locks(detector, holder, taken_ms)` (one row per held lock) and `security_audit(...)` (one row per mutating
 * request). Every change is committed before the request is answered. Audit rows beyond `maxAuditRows` are pruned,
 * oldest first.
 * @module
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const SECURITY_DB_FILE = 'security.db';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS security_locks (
    detector TEXT PRIMARY KEY, holder TEXT NOT NULL, taken_ms INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS security_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, user TEXT NOT NULL, via TEXT NOT NULL,
    claimed_user TEXT NOT NULL, rpc TEXT NOT NULL, arguments TEXT NOT NULL, outcome TEXT NOT NULL,
    error TEXT NOT NULL, duration_ms INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS security_audit_by_time ON security_audit (time_ms);
`;

export interface LockRow {
  readonly detector: string;
  readonly holder: string;
  readonly takenMs: number;
}

export interface AuditRow {
  readonly id: number;
  readonly timeMs: number;
  readonly user: string;
  readonly via: string;
  readonly claimedUser: string;
  readonly rpc: string;
  readonly arguments: string;
  readonly outcome: string;
  readonly error: string;
  readonly durationMs: number;
}

export interface AuditFilter {
  readonly user?: string;
  readonly sinceMs?: number;
  readonly rpc?: string;
  readonly limit: number;
}

/** The open database; methods are synchronous. */
export class SecurityDb {
  private readonly db: Database.Database;
  private inserts = 0;

  constructor(
    stateDir: string,
    private readonly maxAuditRows = 1_000_000,
  ) {
    this.db = new Database(join(stateDir, SECURITY_DB_FILE));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  locks(): LockRow[] {
    return this.db
      .prepare('SELECT detector, holder, taken_ms AS takenMs FROM security_locks ORDER BY detector')
      .all() as LockRow[];
  }

  /** Sets (holder given) or clears a lock. */
  setLock(detector: string, lock: { holder: string; takenMs: number } | undefined): void {
    if (lock === undefined) this.db.prepare('DELETE FROM security_locks WHERE detector = ?').run(detector);
    else
      this.db
        .prepare('INSERT OR REPLACE INTO security_locks (detector, holder, taken_ms) VALUES (?, ?, ?)')
        .run(detector, lock.holder, lock.takenMs);
  }

  addAudit(row: Omit<AuditRow, 'id'>): void {
    this.db
      .prepare(
        `INSERT INTO security_audit (time_ms, user, via, claimed_user, rpc, arguments, outcome, error, duration_ms)
         VALUES (@timeMs, @user, @via, @claimedUser, @rpc, @arguments, @outcome, @error, @durationMs)`,
      )
      .run(row);
    if (++this.inserts % 1000 === 0) this.pruneAudit();
  }

  /** Entries matching the filter, newest first. */
  audit(f: AuditFilter): AuditRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.user !== undefined && f.user !== '') {
      where.push('user = ?');
      args.push(f.user);
    }
    if (f.sinceMs !== undefined && f.sinceMs > 0) {
      where.push('time_ms >= ?');
      args.push(f.sinceMs);
    }
    if (f.rpc !== undefined && f.rpc !== '') {
      where.push("(rpc = ? OR rpc LIKE '%/' || ?)");
      args.push(f.rpc, f.rpc);
    }
    const sql =
      `SELECT id, time_ms AS timeMs, user, via, claimed_user AS claimedUser, rpc, arguments, outcome, error,
        duration_ms AS durationMs FROM security_audit` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY id DESC LIMIT ?';
    return this.db.prepare(sql).all(...args, f.limit) as AuditRow[];
  }

  close(): void {
    this.db.close();
  }

  private pruneAudit(): void {
    this.db
      .prepare('DELETE FROM security_audit WHERE id <= (SELECT MAX(id) FROM security_audit) - ?')
      .run(this.maxAuditRows);
  }
}
