/**
 * A thin async wrapper over the `git` binary: no shell, no terminal prompts, a deadline on every call, and every
 * failure turned into a RepoError carrying the command line and git's stderr. Reads go against bare repositories
 * with `--git-dir`; nothing here checks out a work tree.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { RepoError } from './repo-error.ts';

/** Default deadline for local git commands. Network commands (clone, fetch) pass their own. */
export const GIT_TIMEOUT_MS = 30_000;
const STDERR_LIMIT = 16_384;

export interface GitOptions {
  /** Run against this (bare) repository: prepends `--git-dir=<gitDir>`. */
  readonly gitDir?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Written to git's stdin, which is then closed. */
  readonly input?: string | Buffer;
  readonly signal?: AbortSignal;
}

/** Variables that would redirect git to another repository (set, e.g., inside git hooks). */
const REPO_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR'];

const GIT_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !REPO_VARS.includes(k))),
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

/** Runs git and resolves with its stdout as UTF-8 text; rejects with RepoError on a non-zero exit or timeout. */
export async function git(args: readonly string[], opts: GitOptions = {}): Promise<string> {
  return (await gitBuffer(args, opts)).toString('utf8');
}

/** Runs git and resolves with its raw stdout (for `cat-file --batch` and other binary-safe reads). */
export function gitBuffer(args: readonly string[], opts: GitOptions = {}): Promise<Buffer> {
  const argv = fullArgs(args, opts);
  const child = spawn('git', argv, spawnOptions(opts));
  const out: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  const done = waitFor(child, argv);
  writeInput(child, opts.input);
  return done.then(() => Buffer.concat(out));
}

/**
 * Writes the whole tree of `commit` into `dir` (which must exist) with `git archive | tar -x`; the repository and its
 * refs are untouched.
 */
export async function gitExportTree(
  gitDir: string,
  commit: string,
  dir: string,
  timeoutMs = GIT_TIMEOUT_MS,
): Promise<void> {
  const argv = fullArgs(['archive', '--format=tar', commit], { gitDir });
  const archive = spawn('git', argv, spawnOptions({ timeoutMs }));
  const tarArgv = ['-x', '-C', dir];
  const tar = spawn('tar', tarArgv, { stdio: ['pipe', 'ignore', 'pipe'], timeout: timeoutMs });
  tar.stdin?.on('error', () => undefined);
  if (archive.stdout !== null && tar.stdin !== null) archive.stdout.pipe(tar.stdin);
  archive.stdin?.end();
  await Promise.all([waitFor(archive, argv), waitFor(tar, tarArgv, 'tar')]);
}

function fullArgs(args: readonly string[], opts: GitOptions): string[] {
  return opts.gitDir === undefined ? [...args] : [`--git-dir=${opts.gitDir}`, ...args];
}

function spawnOptions(opts: GitOptions): Parameters<typeof spawn>[2] {
  return {
    env: GIT_ENV,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? GIT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  };
}

function writeInput(child: ChildProcess, input: string | Buffer | undefined): void {
  const stdin = child.stdin;
  if (stdin === null) return;
  // a child that exits early closes its stdin; the exit code then tells what went wrong
  stdin.on('error', () => undefined);
  if (input === undefined) stdin.end();
  else stdin.end(input);
}

/** Resolves when the process exits with 0; otherwise rejects with a RepoError naming the command. */
function waitFor(child: ChildProcess, argv: readonly string[], bin = 'git'): Promise<void> {
  const command = [bin, ...argv].join(' ');
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += c.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new RepoError(`${command}: ${err.message}`, { command, cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const text = stderr.trim();
      const why = signal !== null ? `killed by ${signal} (timeout?)` : `exit code ${code ?? '?'}`;
      const detail = text === '' ? why : `${why}: ${text}`;
      reject(new RepoError(`${command} failed: ${detail}`, { command, stderr: text }));
    });
  });
}
