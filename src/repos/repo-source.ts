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
import { existsSync, realpathSync, statSync } from 'node:fs';
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
const SCP_LIKE = /^(?:([^@/\s]+)@)?([^:/\s]+):(?!\/\/)(.+)$/;
/** git's `<transport>::<address>` form, which runs `git-remote-<transport>` (`ext::` runs any command). */
const HELPER_SYNTAX = /^[a-z][a-z0-9+.-]*::/i;
/** URL schemes git serves itself; any other makes git run a remote helper program named after the scheme. */
const GIT_SCHEMES = new Set(['http', 'https', 'ssh', 'git', 'git+ssh', 'ssh+git']);
/** Kernel file systems: nothing there is a repository, and reading some of it never ends. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/** Classifies `input`; local paths are resolved against `cwd` and inspected. Unusable input → RepoError. */
export function classifySource(input: string, cwd = process.cwd()): RepoSource {
  const s = input.trim();
  if (s === '') throw new RepoError('empty repository address');
  refuseUnsafe(s);
  const scheme = SCHEME.exec(s)?.[1]?.toLowerCase();
  if (scheme === 'file') return fileUrlSource(s);
  if (scheme !== undefined) return networkSource(s, s);
  if (isLocalPath(s)) return localSource(expandHome(s), cwd);
  const scp = SCP_LIKE.exec(s);
  if (scp?.[2] !== undefined && scp[3] !== undefined) {
    if (scp[1]?.startsWith('-') === true || scp[2].startsWith('-'))
      throw new RepoError(`repository address "${s}": a user or host may not start with "-"`);
    return { id: networkId(scp[2], scp[3]), kind: 'git', url: s, location: s };
  }
  const firstSegment = s.split('/')[0] ?? '';
  if (firstSegment.includes('.') && s.includes('/')) return networkSource(s, `https://${s}`);
  throw new RepoError(
    `cannot tell what kind of repository "${input}" is: use a URL (https://, ssh://, file://), host.tld/path, or an absolute local path`,
  );
}

/** Refuses what would make git run a command or read an option: `-…`, `x::…`, unknown URL schemes. */
function refuseUnsafe(s: string): void {
  if (s.startsWith('-')) throw new RepoError(`repository address "${s}" may not start with "-"`);
  if (HELPER_SYNTAX.test(s)) {
    throw new RepoError(
      `repository address "${s}" uses git's <transport>::<address> form (ext::, fd::, …), which runs a helper ` +
        'command: use an https://, http://, ssh://, git:// or file:// URL, host:path or a local path',
    );
  }
  const scheme = SCHEME.exec(s)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'file' && !GIT_SCHEMES.has(scheme)) {
    throw new RepoError(
      `repository URL "${s}": git does not serve ${scheme}:// itself (it would run a helper program ` +
        `git-remote-${scheme}): use https://, http://, ssh://, git:// or file://`,
    );
  }
}

/** Refuses paths under /proc, /sys and /dev (also through symbolic links). */
function refuseSystemPath(path: string): void {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // a missing path is reported by the caller
  }
  for (const p of new Set([path, real])) {
    const root = SYSTEM_ROOTS.find((r) => p === r || p.startsWith(`${r}/`));
    if (root !== undefined)
      throw new RepoError(`repository path ${path} is under ${root}, which holds no repositories`);
  }
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
  if (parsed.hostname.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-'))
    throw new RepoError(`repository URL "${original}": a user or host may not start with "-"`);
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
  refuseSystemPath(path.replace(/\/+/g, '/'));
  return { id: localId(path), kind: 'git', url, location: url };
}

function localSource(path: string, cwd: string): RepoSource {
  const abs = resolve(cwd, path);
  const id = localId(abs);
  const clean = `/${id}`;
  refuseSystemPath(clean);
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
