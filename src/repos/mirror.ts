/**
 * Bare local mirrors of git repositories: branches land in `refs/heads/*` and tags in `refs/tags/*` (like
 * `clone --mirror`, but without host-specific refs such as GitHub's `refs/pull/*`). Refreshing is
 * `git fetch --prune --tags`. Nothing ever checks out a work tree.
 */
import { createHash } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from './git.ts';

/** Deadline for clone and fetch, which may cross the network. */
export const NETWORK_TIMEOUT_MS = 300_000;

/** A file-system-safe, collision-free directory name for a repository id (readable slug + short hash). */
export function mirrorDirName(id: string): string {
  const slug = id
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  const hash = createHash('sha1').update(id).digest('hex').slice(0, 10);
  return `${slug === '' ? 'repo' : slug}-${hash}.git`;
}

/** Clones `location` bare into `dir`; on failure `dir` is removed and the RepoError from git is rethrown. */
export async function createMirror(
  location: string,
  dir: string,
  timeoutMs = NETWORK_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  try {
    const opts = { timeoutMs, ...(signal === undefined ? {} : { signal }) };
    await git(['clone', '--bare', '--quiet', '--', location, dir], opts);
    await git(['config', '--replace-all', 'remote.origin.fetch', '+refs/heads/*:refs/heads/*'], {
      gitDir: dir,
    });
    await git(['config', '--add', 'remote.origin.fetch', '+refs/tags/*:refs/tags/*'], { gitDir: dir });
    await markFetched(dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Fetches new commits, branches and tags into the mirror at `dir`, dropping branches deleted upstream. */
export async function updateMirror(
  dir: string,
  timeoutMs = NETWORK_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<void> {
  const opts = { gitDir: dir, timeoutMs, ...(signal === undefined ? {} : { signal }) };
  await git(['fetch', '--quiet', '--prune', '--tags', 'origin'], opts);
  await markFetched(dir);
}

/** The file whose modification time is when the mirror was last cloned or fetched successfully. */
const FETCHED_MARK = 'axle-fetched';

async function markFetched(dir: string): Promise<void> {
  await writeFile(join(dir, FETCHED_MARK), `${new Date().toISOString()}\n`);
}

/** When the mirror at `dir` was last cloned or fetched successfully (ms since the epoch); undefined if unknown. */
export async function lastFetched(dir: string): Promise<number | undefined> {
  return stat(join(dir, FETCHED_MARK)).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
}

/** Deletes a mirror directory (no error if it is already gone). */
export async function deleteMirror(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
