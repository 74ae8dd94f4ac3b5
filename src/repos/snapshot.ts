/**
 * RepoSnapshot: an immutable, fully loaded view of one repository at one commit. Everything under `workflows/`,
 * `tasks/` and `jit/` is read up front (one `git ls-tree` plus one `git cat-file --batch`), so template loading can
 * read files synchronously, and two plans on two revisions of one repository never interfere.
 */
import { cp, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitBuffer, gitExportTree } from './git.ts';
import { RepoError } from './repo-error.ts';

export const SNAPSHOT_DIRS = ['workflows', 'tasks', 'jit'] as const;
export type SnapshotDir = (typeof SNAPSHOT_DIRS)[number];

/** The commit of a plain-directory repository, which has no history. */
export const LOCAL_COMMIT = 'local';

export interface RepoSnapshot {
  readonly repoId: string;
  /** The revision as asked (`master`, `v1.2`, `1a2b3c4`), or `local`. */
  readonly revision: string;
  /** 40-hex commit hash, or `local` for a plain directory. */
  readonly commit: string;
  /** Text of a repository-relative file under workflows/, tasks/ or jit/ (`workflows/x.yaml`); undefined if absent. */
  readonly readFile: (relPath: string) => string | undefined;
  /** Sorted names of the files directly inside `dir` (`readout-dataflow.yaml`). */
  readonly listFiles: (dir: SnapshotDir) => string[];
  /** Writes the whole repository tree at this commit into `dir` (created if missing). */
  readonly exportTo: (dir: string) => Promise<void>;
}

/** Repository-relative path → UTF-8 text. */
export type SnapshotFiles = ReadonlyMap<string, string>;

/** Builds a snapshot over already loaded files. */
export function makeSnapshot(
  meta: { repoId: string; revision: string; commit: string },
  files: SnapshotFiles,
  exportTo: (dir: string) => Promise<void>,
): RepoSnapshot {
  return Object.freeze({
    ...meta,
    readFile: (relPath: string) => files.get(normalise(relPath)),
    listFiles: (dir: SnapshotDir) => listDirect(files, dir),
    exportTo,
  });
}

function normalise(relPath: string): string {
  return relPath.replace(/^\.?\/+/, '');
}

function listDirect(files: SnapshotFiles, dir: string): string[] {
  const prefix = `${dir}/`;
  const names: string[] = [];
  for (const path of files.keys()) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (rest !== '' && !rest.includes('/')) names.push(rest);
  }
  return names.sort();
}

/** Loads workflows/, tasks/ and jit/ of `commit` from the bare repository at `gitDir`. */
export async function loadGitFiles(gitDir: string, commit: string): Promise<Map<string, string>> {
  const listing = await git(['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...SNAPSHOT_DIRS], {
    gitDir,
  });
  const blobs = parseLsTree(listing);
  const unique = [...new Set(blobs.map((b) => b.oid))];
  const contents = unique.length === 0 ? new Map<string, Buffer>() : await catBlobs(gitDir, unique);
  const files = new Map<string, string>();
  for (const b of blobs) {
    const data = contents.get(b.oid);
    if (data !== undefined) files.set(b.path, data.toString('utf8'));
  }
  return files;
}

/** Regular files only: symbolic links (mode 120000) and submodules are skipped. */
function parseLsTree(listing: string): { oid: string; path: string }[] {
  const out: { oid: string; path: string }[] = [];
  for (const record of listing.split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.+)$/s.exec(record);
    if (m === null || m[2] !== 'blob' || m[1] === '120000') continue;
    if (m[3] !== undefined && m[4] !== undefined) out.push({ oid: m[3], path: m[4] });
  }
  return out;
}

/** Streams all `oids` through one `git cat-file --batch` process. */
async function catBlobs(gitDir: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const out = await gitBuffer(['cat-file', '--batch'], { gitDir, input: `${oids.join('\n')}\n` });
  const result = new Map<string, Buffer>();
  let pos = 0;
  for (const oid of oids) {
    const eol = out.indexOf(0x0a, pos);
    if (eol < 0) break;
    const header = out.subarray(pos, eol).toString('utf8').split(' ');
    pos = eol + 1;
    if (header[1] === 'missing' || header.length < 3) continue;
    const size = Number(header[2]);
    result.set(oid, out.subarray(pos, pos + size));
    pos += size + 1;
  }
  if (result.size !== oids.length) {
    throw new RepoError(`git cat-file returned ${result.size} of ${oids.length} objects in ${gitDir}`);
  }
  return result;
}

/** Exports the tree of `commit` from a bare repository into `dir`. */
export async function exportGitTree(gitDir: string, commit: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await gitExportTree(gitDir, commit, dir);
}

/** Reads workflows/, tasks/ and jit/ (recursively) of a plain directory; missing sub-directories are empty. */
export async function loadDirFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const dir of SNAPSHOT_DIRS) await readTree(root, dir, files);
  return files;
}

async function readTree(root: string, rel: string, files: Map<string, string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) await readTree(root, child, files);
    else if (e.isFile()) files.set(child, await readFile(join(root, child), 'utf8'));
  }
}

/** Copies a plain-directory repository into `dir`. */
export async function exportDirTree(root: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await cp(root, dir, { recursive: true });
}
