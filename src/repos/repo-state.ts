/**
 * The persisted state of the repository manager: `<stateDir>/repos/repos.json`, written atomically
 * (temporary file, then rename) so a crash never leaves half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RepoError } from './repo-error.ts';
import type { RepoKind } from './repo-source.ts';

export interface RepoRecord {
  readonly id: string;
  readonly kind: RepoKind;
  /** The address as shown to users. */
  readonly url: string;
  /** What git clones and fetches from, or the directory read for `dir` repositories. */
  readonly location: string;
  /** The configured default revision, as set (may no longer exist; the effective one is computed). */
  readonly defaultRevision?: string;
}

export interface RepoState {
  readonly version: 1;
  readonly globalDefaultRevision: string;
  readonly defaultRepo?: string;
  readonly repos: readonly RepoRecord[];
}

/** AliECS's initial global default revision. */
export const INITIAL_GLOBAL_REVISION = 'master';

/** The state of a manager that has never stored anything. */
export function emptyState(): RepoState {
  return { version: 1, globalDefaultRevision: INITIAL_GLOBAL_REVISION, repos: [] };
}

/** Reads the state file; a missing file is an empty state, an unreadable one a RepoError. */
export async function loadState(file: string): Promise<RepoState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new RepoError(`cannot read ${file}`, { cause: err });
  }
  try {
    return validate(JSON.parse(text) as unknown);
  } catch (err) {
    throw new RepoError(`${file} is not a valid repository state file`, { cause: err });
  }
}

/** Writes the state file atomically (folder created 0700, file 0600: the umask can only narrow them). */
export async function saveState(file: string, state: RepoState): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { encoding: 'utf8', mode: 0o600 });
  await rename(tmp, file);
}

function validate(raw: unknown): RepoState {
  if (!isObject(raw) || raw['version'] !== 1 || !Array.isArray(raw['repos'])) {
    throw new Error('expected { version: 1, repos: [...] }');
  }
  const repos = raw['repos'].map(validateRecord);
  const global = raw['globalDefaultRevision'];
  const defaultRepo = raw['defaultRepo'];
  return {
    version: 1,
    globalDefaultRevision: typeof global === 'string' && global !== '' ? global : INITIAL_GLOBAL_REVISION,
    ...(typeof defaultRepo === 'string' ? { defaultRepo } : {}),
    repos,
  };
}

function validateRecord(raw: unknown): RepoRecord {
  if (!isObject(raw)) throw new Error('repository entry is not an object');
  const { id, kind, url, location, defaultRevision } = raw;
  if (typeof id !== 'string' || typeof url !== 'string' || typeof location !== 'string') {
    throw new Error('repository entry lacks id, url or location');
  }
  if (kind !== 'git' && kind !== 'dir') throw new Error(`repository ${id} has unknown kind`);
  return { id, kind, url, location, ...(typeof defaultRevision === 'string' ? { defaultRevision } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
