/**
 * A thin async wrapper over the `git` binary: no shell, no terminal prompts, a deadline on every call, and every
 * failure turned into a RepoError carrying the command line and git's stderr. Reads go against bare repositories
 * with `--git-dir`; nothing here checks out a work tree.
 *
 * Each git runs in its own process group: at its deadline or when its signal aborts, the whole group is killed (the
 * `git-remote-http`/`ssh` helpers git starts included) and the call fails at once, even when a helper kept the
 * pipes open. Groups still running when this process exits are killed too.
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
  // transports that run no helper command of the address's choosing (no ext::, fd::, custom remote helpers)
  GIT_ALLOW_PROTOCOL: 'http:https:ssh:git:file',
  LC_ALL: 'C',
};

/** Process groups of git (and tar) runs in flight, killed when this process exits. */
const groups = new Set<number>();
let exitHook = false;

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
  const done = waitFor(child, argv, opts);
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
  const tar = spawn('tar', tarArgv, { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
  tar.stdin?.on('error', () => undefined);
  if (archive.stdout !== null && tar.stdin !== null) archive.stdout.pipe(tar.stdin);
  archive.stdin?.end();
  await Promise.all([waitFor(archive, argv, { timeoutMs }), waitFor(tar, tarArgv, { timeoutMs }, 'tar')]);
}

function fullArgs(args: readonly string[], opts: GitOptions): string[] {
  return opts.gitDir === undefined ? [...args] : [`--git-dir=${opts.gitDir}`, ...args];
}

function spawnOptions(opts: GitOptions): Parameters<typeof spawn>[2] {
  return {
    env: GIT_ENV,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
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

/**
 * Resolves when the process exits with 0; otherwise rejects with a RepoError naming the command. At the deadline or
 * when `opts.signal` aborts, the process group is killed and the promise rejects at once (code deadline_exceeded).
 */
function waitFor(
  child: ChildProcess,
  argv: readonly string[],
  opts: Pick<GitOptions, 'timeoutMs' | 'signal'>,
  bin = 'git',
): Promise<void> {
  const command = [bin, ...argv].join(' ');
  const timeoutMs = opts.timeoutMs ?? GIT_TIMEOUT_MS;
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += c.toString('utf8');
  });
  const pgid = child.pid;
  if (pgid !== undefined) track(pgid);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: RepoError): void => {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      opts.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined) groups.delete(pgid);
      if (error === undefined) resolve();
      else reject(error);
    };
    const stop = (why: string): void => {
      if (pgid !== undefined) killGroup(pgid);
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
      const text = stderr.trim();
      const message = `${command}: ${why}${text === '' ? '' : `: ${text}`}`;
      finish(new RepoError(message, { command, stderr: text, code: 'deadline_exceeded' }));
    };
    const onAbort = (): void => stop('cancelled: its caller gave up');
    timer = setTimeout(
      () => stop(`no result within ${timeoutMs} ms (git and its helpers were killed)`),
      timeoutMs,
    );
    if (opts.signal?.aborted === true) return stop('cancelled: its caller gave up');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => finish(new RepoError(`${command}: ${err.message}`, { command, cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0) return finish();
      const text = stderr.trim();
      const why = signal !== null ? `killed by ${signal}` : `exit code ${code ?? '?'}`;
      const detail = text === '' ? why : `${why}: ${text}`;
      finish(new RepoError(`${command} failed: ${detail}`, { command, stderr: text }));
    });
  });
}

function track(pgid: number): void {
  groups.add(pgid);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => groups.forEach(killGroup));
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
