/**
 * The token file the admin manages (`<state dir>/tokens.yaml` or `--token-file`): bearer tokens, stored as SHA-256
 * hashes, each naming a user and roles. The file must be readable by its owner only (mode 0600 or stricter): a core
 * refuses to start otherwise, since anyone reading the hashes could not log in but could see who has which role.
 *
 * ```yaml
 * tokens:
 *   - sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *     user: alice
 *     roles: [det-tpc]
 * ```
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { parseRole } from './identity.ts';
import type { Identity, Role } from './identity.ts';

/** A token file that cannot be used; the message names the file and, where there is one, the entry and field. */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
}

interface Entry {
  readonly hash: Buffer;
  readonly user: string;
  readonly roles: readonly Role[];
}

/** The users of a token file, looked up by token. */
export class TokenTable {
  private constructor(private readonly entries: readonly Entry[]) {}

  static empty(): TokenTable {
    return new TokenTable([]);
  }

  /** Reads and checks the file (mode, YAML, every entry); throws TokenFileError. */
  static load(path: string): TokenTable {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch (e: unknown) {
      throw new TokenFileError(`token file ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if ((mode & 0o077) !== 0)
      throw new TokenFileError(
        `token file ${path}: mode ${(mode & 0o777).toString(8)} lets other users read it; run chmod 600 ${path}`,
      );
    return new TokenTable(parseEntries(path, readFileSync(path, 'utf8')));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The identity of a token, or undefined when no entry has its hash. */
  lookup(token: string): Identity | undefined {
    const h = sha256(token);
    const e = this.entries.find((x) => timingSafeEqual(x.hash, h));
    return e === undefined ? undefined : { name: e.user, roles: e.roles, via: 'token' };
  }
}

/** The SHA-256 of a token, as stored in the file (hex). */
export function tokenHash(token: string): string {
  return sha256(token).toString('hex');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function parseEntries(path: string, text: string): Entry[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err?.linePos?.[0]?.line;
    throw new TokenFileError(
      `token file ${path}${line !== undefined ? `:${line}` : ''}: ${err?.message ?? ''}`,
    );
  }
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return [];
  const tokens = (root as { tokens?: unknown }).tokens;
  if (typeof root !== 'object' || !Array.isArray(tokens))
    throw new TokenFileError(`token file ${path}: tokens: expected a list of {sha256, user, roles}`);
  const seen = new Set<string>();
  return tokens.map((raw: unknown, i) => {
    const e = parseEntry(`token file ${path}: tokens[${i}]`, raw);
    const key = e.hash.toString('hex');
    if (seen.has(key))
      throw new TokenFileError(`token file ${path}: tokens[${i}]: the same hash is listed twice`);
    seen.add(key);
    return e;
  });
}

function parseEntry(where: string, raw: unknown): Entry {
  if (raw === null || typeof raw !== 'object')
    throw new TokenFileError(`${where}: expected {sha256, user, roles}`);
  const o = raw as Record<string, unknown>;
  if ('token' in o)
    throw new TokenFileError(`${where}: token: store the SHA-256 of the token (sha256:), not the token`);
  if (typeof o['sha256'] !== 'string' || !/^[0-9a-f]{64}$/i.test(o['sha256']))
    throw new TokenFileError(`${where}: sha256: expected 64 hexadecimal digits`);
  if (typeof o['user'] !== 'string' || o['user'].trim() === '')
    throw new TokenFileError(`${where}: user: expected a user name`);
  if (!Array.isArray(o['roles']) || o['roles'].length === 0)
    throw new TokenFileError(
      `${where}: roles: expected a list of roles (guest, det-<detector>, global, admin)`,
    );
  const roles = o['roles'].map((r: unknown, j) => {
    const role = parseRole(String(r));
    if (typeof role === 'object') throw new TokenFileError(`${where}: roles[${j}]: ${role.error}`);
    return role;
  });
  return { hash: Buffer.from(o['sha256'].toLowerCase(), 'hex'), user: o['user'].trim(), roles };
}
