/**
 * Runs Slurm's command-line tools (sinfo, squeue, salloc, scancel, srun) for the Slurm engine: no shell, a deadline
 * on every call, and one error type that carries the command line, the exit code and Slurm's own words.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** Default deadline of one command. */
export const SLURM_TIMEOUT_MS = 30_000;

/** Enough for `sinfo --json` / `squeue --json` of a few thousand nodes or jobs. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Lines of stderr quoted in a SlurmError message. */
const QUOTED_LINES = 3;

export interface SlurmErrorDetails {
  /** The command line, words joined by spaces (for people, not for a shell). */
  readonly commandLine: string;
  /** Exit code, or null when the command did not exit normally (signal, timeout, not startable). */
  readonly exitCode: number | null;
  readonly stderr: string;
  /** Set when the command was killed for running past this deadline (ms). */
  readonly timedOutAfterMs?: number;
  /** Why the command could not run at all (e.g. ENOENT), when that is the problem. */
  readonly startError?: string;
}

/**
 * A Slurm command failed, was refused or ran too long. The message reads
 * `<command line> failed (exit <n>): <last stderr lines>` so Slurm's reason reaches the operator verbatim;
 * `reason` holds those stderr lines alone.
 */
export class SlurmError extends Error {
  readonly commandLine: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The last non-empty stderr lines (Slurm's explanation), or the start error; may be empty. */
  readonly reason: string;

  constructor(details: SlurmErrorDetails) {
    const reason = details.startError ?? lastLines(details.stderr, QUOTED_LINES);
    super(`${details.commandLine} ${outcome(details)}${reason === '' ? '' : `: ${reason}`}`);
    this.name = 'SlurmError';
    this.commandLine = details.commandLine;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr;
    this.timedOut = details.timedOutAfterMs !== undefined;
    this.reason = reason;
  }
}

function outcome(d: SlurmErrorDetails): string {
  if (d.timedOutAfterMs !== undefined) return `timed out after ${d.timedOutAfterMs} ms`;
  if (d.startError !== undefined) return 'could not run';
  return d.exitCode === null ? 'failed' : `failed (exit ${d.exitCode})`;
}

/** The last `n` non-empty lines of `text`, joined by " | ". */
export function lastLines(text: string, n: number): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.slice(-n).join(' | ');
}

export interface SlurmCliOptions {
  /** Path of slurm.conf (exported as SLURM_CONF to every command); default: Slurm's own lookup. */
  readonly conf?: string;
  /** Folder of the Slurm binaries; default: found on PATH. */
  readonly binDir?: string;
  /** Deadline of each command unless the call gives its own (default 30 s). */
  readonly timeoutMs?: number;
}

export interface RunOptions {
  /** Deadline of this call, overriding the client's. */
  readonly timeoutMs?: number;
}

/** Output of a command that exited with code 0. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs Slurm commands against one cluster (chosen by `conf`). Stateless; safe to share. */
export class SlurmCli {
  private readonly conf: string | undefined;
  private readonly binDir: string | undefined;
  private readonly timeoutMs: number;

  constructor(o: SlurmCliOptions = {}) {
    this.conf = o.conf;
    this.binDir = o.binDir;
    this.timeoutMs = o.timeoutMs ?? SLURM_TIMEOUT_MS;
  }

  /** The environment for Slurm commands and job steps: this process's environment plus SLURM_CONF when given. */
  env(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    if (this.conf !== undefined) env['SLURM_CONF'] = this.conf;
    return env;
  }

  /** Path (or bare name, looked up on PATH) of a Slurm command. */
  bin(command: string): string {
    return this.binDir === undefined ? command : join(this.binDir, command);
  }

  /**
   * Runs `command args…` without a shell. Resolves with its output when it exits 0; otherwise rejects with a
   * SlurmError (non-zero exit, killed by a signal, not startable, or past the deadline, then killed).
   */
  run(command: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
    const commandLine = [command, ...args].join(' ');
    const timeout = o.timeoutMs ?? this.timeoutMs;
    return new Promise((resolve, reject) => {
      const options = {
        env: this.env(),
        timeout,
        killSignal: 'SIGKILL' as const,
        maxBuffer: MAX_OUTPUT_BYTES,
      };
      execFile(this.bin(command), [...args], options, (err, stdout, stderr) => {
        if (err === null) return resolve({ stdout, stderr });
        reject(toSlurmError(err, commandLine, stderr, timeout));
      });
    });
  }
}

interface ExecError extends Error {
  code?: number | string | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

function toSlurmError(err: ExecError, commandLine: string, stderr: string, timeoutMs: number): SlurmError {
  if (typeof err.code === 'string') {
    return new SlurmError({
      commandLine,
      exitCode: null,
      stderr,
      startError: `${err.code} (${err.message})`,
    });
  }
  const exitCode = typeof err.code === 'number' ? err.code : null;
  if (err.killed === true && err.signal === 'SIGKILL') {
    return new SlurmError({ commandLine, exitCode, stderr, timedOutAfterMs: timeoutMs });
  }
  return new SlurmError({ commandLine, exitCode, stderr });
}
