/**
 * Job steps: a command started on one node of an allocation through `srun`, which runs here, detached in its own
 * session, for as long as the remote command runs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendPrivate, mkdirPrivate, openPrivate } from '../../agent/private-files.ts';
import type { SlurmCli } from './slurm-cli.ts';

export interface LaunchStepOptions {
  readonly jobId: string;
  /**
   * Component of a heterogeneous job the step runs in; leave undefined for a single-component (ordinary) job,
   * for which Slurm refuses `--het-group`.
   */
  readonly hetGroup?: number;
  readonly node: string;
  /** Step name (squeue -s). */
  readonly name: string;
  /** Program and arguments, run on the node without a shell. */
  readonly command: readonly string[];
  /** Variables added to this process's environment (srun passes its whole environment to the step). */
  readonly env?: Readonly<Record<string, string>>;
  /** File receiving srun's and the command's stdout and stderr (appended; folders created). */
  readonly logPath: string;
}

export interface StepExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why srun could not be started, when that is what happened. */
  readonly error?: string;
}

/** A running srun. */
export interface StepProcess {
  /** PID of the local srun (leader of its own process group); 0 when it could not be started. */
  readonly pid: number;
  /** Resolves (never rejects) when srun has exited. srun exits with the remote command's exit code. */
  readonly exited: Promise<StepExit>;
  /**
   * Signals srun's process group. SIGTERM (or SIGINT twice) makes srun cancel the step, so Slurm ends the remote
   * command; SIGKILL only ends srun and leaves the remote command running until the allocation is cancelled.
   * No-op once srun has exited.
   */
  kill(signal: NodeJS.Signals): void;
}

/** The srun arguments of a step (exported for tests and logs). */
export function stepArgs(o: LaunchStepOptions): string[] {
  const group = o.hetGroup === undefined ? [] : [`--het-group=${o.hetGroup}`];
  return [
    `--jobid=${o.jobId}`,
    ...group,
    '-N1',
    '-n1',
    '-w',
    o.node,
    '-J',
    o.name,
    // steps on one component share its CPUs and memory (a replacement may start while the old one ends)
    '--overlap',
    '--no-kill',
    '--kill-on-bad-exit=0',
    '--quiet',
    ...o.command,
  ];
}

/**
 * Starts `srun … <command>` detached (own session, so a signal to Axle's group does not reach it), with its
 * output appended to `logPath`. Never throws for a failing srun: a start failure shows in `exited.error` and in
 * the log.
 */
export function launchStep(cli: SlurmCli, o: LaunchStepOptions): StepProcess {
  mkdirPrivate(dirname(o.logPath));
  const child = spawnSrun(cli, o);
  let done = false;
  const exited = new Promise<StepExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      appendPrivate(o.logPath, `srun could not start: ${err.message}\n`);
      resolve({ code: null, signal: null, error: err.message });
    });
  }).finally(() => {
    done = true;
  });
  const pid = child.pid ?? 0;
  return {
    pid,
    exited,
    kill(signal) {
      if (done || pid === 0) return;
      try {
        process.kill(-pid, signal);
      } catch {
        child.kill(signal);
      }
    },
  };
}

/** srun in its own session, stdout and stderr appended to the log (the parent's copy of the file is closed). */
function spawnSrun(cli: SlurmCli, o: LaunchStepOptions): ChildProcess {
  const fd = openPrivate(o.logPath);
  try {
    return spawn(cli.bin('srun'), stepArgs(o), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...cli.env(), ...o.env },
    });
  } finally {
    closeSync(fd);
  }
}
