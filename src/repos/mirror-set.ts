/**
 * The bare mirrors of the git repositories under one directory, with their last-read branch and tag tables.
 * Every failure comes out as a RepoError naming the repository.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCandidates } from './default-revision.ts';
import { createMirror, deleteMirror, lastFetched, mirrorDirName, updateMirror } from './mirror.ts';
import { EMPTY_REFS, readRefs, readRefsWith, resolveRevision, sameRefs } from './refs.ts';
import type { RefTable } from './refs.ts';
import { RepoError } from './repo-error.ts';

/** What the mirror set needs to know about a git repository. */
export interface MirrorTarget {
  readonly id: string;
  /** What git clones and fetches from. */
  readonly location: string;
}

export class MirrorSet {
  readonly #refs = new Map<string, RefTable>();
  /** Why a repository could not be opened; reported by `resolve` until a refresh succeeds. */
  readonly #broken = new Map<string, RepoError>();

  constructor(
    readonly root: string,
    readonly networkTimeoutMs: number,
  ) {}

  /** The bare clone directory of a repository. */
  dir(id: string): string {
    return join(this.root, mirrorDirName(id));
  }

  /** Branches and tags as last read; empty when the repository was never read. */
  refs(id: string): RefTable {
    return this.#refs.get(id) ?? EMPTY_REFS;
  }

  /** Reads the refs of an existing mirror, cloning it first when its directory is missing. */
  async open(t: MirrorTarget): Promise<void> {
    try {
      await named(t.id, async () => {
        if (!(await exists(join(this.dir(t.id), 'HEAD')))) await this.#clone(t);
        this.#refs.set(t.id, await readRefs(this.dir(t.id)));
      });
    } catch (err) {
      if (err instanceof RepoError) this.#broken.set(t.id, err);
      throw err;
    }
  }

  /**
   * Clones a new repository and resolves with the first of its default-revision candidates that exists; on
   * failure nothing is left behind.
   */
  async add(
    t: MirrorTarget,
    repoDefault: string | undefined,
    globalDefault: string,
    signal?: AbortSignal,
  ): Promise<string> {
    try {
      await named(t.id, async () => {
        await this.#clone(t, signal);
        this.#refs.set(t.id, await readRefs(this.dir(t.id)));
      });
      return await this.defaultRevision(t.id, repoDefault, globalDefault);
    } catch (err) {
      await this.remove(t.id);
      throw err;
    }
  }

  /**
   * Fetches (or re-clones a vanished mirror) and re-reads the refs. With `maxAgeMs`, a readable mirror is left as it
   * is when it is known to be current: for a source on this machine, when the source's branches and tags are those
   * of the mirror (whatever its age); for another source (or a local one whose refs cannot be read), when it was
   * cloned or fetched successfully less than `maxAgeMs` ago.
   */
  async refresh(t: MirrorTarget, signal?: AbortSignal, maxAgeMs?: number): Promise<void> {
    if (maxAgeMs !== undefined && !this.#broken.has(t.id) && (await this.#fresh(t, maxAgeMs))) return;
    await named(t.id, async () => {
      if (await exists(join(this.dir(t.id), 'HEAD')))
        await updateMirror(this.dir(t.id), this.networkTimeoutMs, signal);
      else await this.#clone(t, signal);
      this.#refs.set(t.id, await readRefs(this.dir(t.id)));
    });
    this.#broken.delete(t.id);
  }

  async #fresh(t: MirrorTarget, maxAgeMs: number): Promise<boolean> {
    const mine = this.#refs.get(t.id);
    if (mine === undefined) return false;
    const local = localPath(t.location);
    if (local !== undefined) {
      const theirs = await readRefsWith({ cwd: local }).catch(() => undefined);
      if (theirs !== undefined) return sameRefs(theirs, mine);
    }
    const at = await lastFetched(this.dir(t.id));
    return at !== undefined && Date.now() - at < maxAgeMs;
  }

  /** Forgets a repository and deletes its mirror. */
  async remove(id: string): Promise<void> {
    this.#refs.delete(id);
    this.#broken.delete(id);
    await deleteMirror(this.dir(id));
  }

  /** The commit `rev` names in the repository; unknown → RepoError naming the revision and the repository. */
  resolve(id: string, rev: string): Promise<string> {
    const broken = this.#broken.get(id);
    if (broken !== undefined) return Promise.reject(broken);
    return named(id, () => resolveRevision(this.dir(id), this.refs(id), rev));
  }

  /** The first default-revision candidate that exists (checked with git); none → RepoError listing them. */
  async defaultRevision(id: string, repoDefault: string | undefined, globalDefault: string): Promise<string> {
    const candidates = defaultCandidates(repoDefault, globalDefault);
    for (const rev of candidates) {
      const ok = await this.resolve(id, rev).then(
        () => true,
        () => false,
      );
      if (ok) return rev;
    }
    throw new RepoError(`${id}: no default revision exists (tried ${candidates.join(', ')})`, { repo: id });
  }

  async #clone(t: MirrorTarget, signal?: AbortSignal): Promise<void> {
    await createMirror(t.location, this.dir(t.id), this.networkTimeoutMs, signal);
  }
}

/** The directory of a source on this machine (`/path` or `file:///path`), else undefined. */
function localPath(location: string): string | undefined {
  if (location.startsWith('/')) return location;
  if (!location.startsWith('file://')) return undefined;
  try {
    return decodeURIComponent(new URL(location).pathname);
  } catch {
    return undefined;
  }
}

async function named<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof RepoError ? err.withRepo(id) : err;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
