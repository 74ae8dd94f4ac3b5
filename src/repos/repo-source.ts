/**
 * What a repository address means: its id, whether it is a git repository or a plain directory, and where git
 * clones it from.
 *
 * Repository ids (the `<repo id>` in `<repo id>/workflows/<name>@<rev>`):
 * - network URLs (`https://`, `http://`, `ssh://`, `git://`, scp-like `user@host:path`, and AliECS's scheme-less
 *   `host.tld/path`, taken as https): `<host>/<path>` without user, port, trailing `/` and `.git`
 *   (`github.com/AliceO2Group/ControlWorkflows`);
 * - local paths and `file://` URLs: the absolute path without its leading `/` and trailing `/`, `.git` kept
 *   (`/srv/wf.git` → `srv/wf.git`), so two different directories never share an id. References may also spell it
 *   with the leading `/`.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { RepoError } from './repo-error.ts';

export type RepoKind = 'git' | 'dir';

/** A classified repository address. */
export interface RepoSource {
  readonly id: string;
  readonly kind: RepoKind;
  /** Normalised address as shown to users (`https://…`, `file://…`, an absolute path). */
  readonly url: string;
  /** What git clones and fetches from; for `dir` the absolute directory that is read directly. */
  readonly location: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/;

/** Classifies `input`; local paths are resolved against `cwd` and inspected. Unusable input → RepoError. */
export function classifySource(input: string, cwd = process.cwd()): RepoSource {
  const s = input.trim();
  if (s === '') throw new RepoError('empty repository address');
  const scheme = SCHEME.exec(s)?.[1]?.toLowerCase();
  if (scheme === 'file') return fileUrlSource(s);
  if (scheme !== undefined) return networkSource(s, s);
  if (isLocalPath(s)) return localSource(expandHome(s), cwd);
  const scp = SCP_LIKE.exec(s);
  if (scp?.[1] !== undefined && scp[2] !== undefined) {
    return { id: networkId(scp[1], scp[2]), kind: 'git', url: s, location: s };
  }
  const firstSegment = s.split('/')[0] ?? '';
  if (firstSegment.includes('.') && s.includes('/')) return networkSource(s, `https://${s}`);
  throw new RepoError(
    `cannot tell what kind of repository "${input}" is: use a URL (https://, ssh://, file://), host.tld/path, or an absolute local path`,
  );
}

function isLocalPath(s: string): boolean {
  return isAbsolute(s) || s === '.' || s === '~' || /^\.{1,2}\//.test(s) || s.startsWith('~/');
}

function expandHome(s: string): string {
  return s === '~' || s.startsWith('~/') ? join(homedir(), s.slice(1)) : s;
}

function networkSource(original: string, url: string): RepoSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new RepoError(`invalid repository URL "${original}"`, { cause: err });
  }
  if (parsed.hostname === '') throw new RepoError(`repository URL "${original}" has no host`);
  const id = networkId(parsed.hostname, decodeURIComponent(parsed.pathname));
  return { id, kind: 'git', url, location: url };
}

function networkId(host: string, path: string): string {
  const clean = trimSlashes(path).replace(/\.git$/, '');
  if (clean === '') throw new RepoError(`repository address on ${host} has no path`);
  return `${host.toLowerCase()}/${clean}`;
}

function fileUrlSource(url: string): RepoSource {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch (err) {
    throw new RepoError(`invalid repository URL "${url}"`, { cause: err });
  }
  return { id: localId(path), kind: 'git', url, location: url };
}

function localSource(path: string, cwd: string): RepoSource {
  const abs = resolve(cwd, path);
  const id = localId(abs);
  const clean = `/${id}`;
  if (!isDirectory(clean)) throw new RepoError(`repository directory ${clean} does not exist`, { repo: id });
  const kind: RepoKind = isGitRepository(clean) ? 'git' : 'dir';
  return { id, kind, url: clean, location: clean };
}

function localId(absPath: string): string {
  const id = trimSlashes(absPath.replace(/\/+/g, '/'));
  if (id === '') throw new RepoError('the file-system root cannot be a repository');
  return id;
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+/, '').replace(/\/+$/, '');
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A work tree with `.git`, or a bare repository (HEAD, objects/ and refs/ at the top). */
function isGitRepository(dir: string): boolean {
  if (existsSync(join(dir, '.git'))) return true;
  return existsSync(join(dir, 'HEAD')) && isDirectory(join(dir, 'objects')) && isDirectory(join(dir, 'refs'));
}
