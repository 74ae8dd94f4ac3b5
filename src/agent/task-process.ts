/**
 * Starts one task process: its own process group, the task's environment and arguments, optional user switch,
 * stdout/stderr appended to `<logDir>/<environmentId>/<taskId>.log` (folders 0700, file 0600) and the last lines
 * kept in memory.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { buildCommandLine, buildTaskEnv } from './command-line.ts';
import type { CommandLine } from './command-line.ts';
import { OutputTail } from './output-tail.ts';
import { mkdirPrivate, openPrivate } from './private-files.ts';
import { groupAlive, signalGroup, terminateGroup, trackGroup, untrackGroup } from './process-group.ts';
import type { TerminateOptions } from './process-group.ts';
import type { CommandSpec, ControlMode } from './types.ts';
import { resolveUser } from './user-ids.ts';

export interface ProcessSpec {
  readonly taskId: string;
  readonly environmentId: string;
  readonly command: CommandSpec;
  readonly mode: ControlMode;
  readonly controlPort?: number;
  /** Folder of the per-environment log folders (`<stateDir>/logs`). */
  readonly logDir: string;
  /** Base environment (default: the agent's `process.env`). */
  readonly agentEnv?: Readonly<Record<string, string | undefined>>;
  /** Receives the lines the command asks to forward (`stdout`/`stderr` set to `stdout` or `all`). */
  readonly forward?: (line: string) => void;
}

/** How the leader process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running (or ended) task process. */
export interface TaskProcess {
  readonly pid: number;
  readonly logPath: string;
  readonly commandLine: CommandLine;
  /** Resolves once the process has exited and its output was read (at most ~200 ms later). */
  readonly exited: Promise<ExitInfo>;
  /** True until the process exits. */
  readonly running: boolean;
  /** The last output lines. */
  output(): string;
  /** Ends the whole process group (SIGTERM → SIGINT → SIGKILL); resolves when nothing of it is left. */
  terminate(options?: TerminateOptions): Promise<void>;
}

/** Path of a task's log file. */
export function taskLogPath(logDir: string, environmentId: string, taskId: string): string {
  return join(logDir, safeName(environmentId || 'none'), `${safeName(taskId)}.log`);
}

/**
 * Spawns the task process.
 * @throws UnknownUserError for an unknown `user`; the spawn error (e.g. ENOENT) when the executable cannot start.
 */
export async function launchProcess(spec: ProcessSpec): Promise<TaskProcess> {
  const commandLine = buildCommandLine(spec.command, spec.mode, spec.taskId, spec.controlPort);
  const ids = await resolveUser(spec.command.user);
  const logPath = taskLogPath(spec.logDir, spec.environmentId, spec.taskId);
  mkdirPrivate(join(logPath, '..'));
  const child = spawn(commandLine.file, [...commandLine.args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: buildTaskEnv(spec.agentEnv ?? process.env, spec.command.env, spec.controlPort),
    ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
  });
  const pid = await spawned(child);
  trackGroup(pid);
  return watch(child, pid, spec, commandLine, logPath);
}

function spawned(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.pid !== undefined) {
      resolve(child.pid);
      return;
    }
    child.once('error', reject);
  });
}

function watch(
  child: ChildProcess,
  pid: number,
  spec: ProcessSpec,
  commandLine: CommandLine,
  logPath: string,
): TaskProcess {
  const tail = new OutputTail();
  const log = createWriteStream('', { fd: openPrivate(logPath) });
  log.on('error', () => undefined);
  pipeStream(child, 'stdout', tail, log, spec.command.stdout, spec.forward);
  pipeStream(child, 'stderr', tail, log, spec.command.stderr, spec.forward);
  let running = true;
  // stdio closed and the log file flushed
  const drained = new Promise<void>((resolve) => child.once('close', () => log.end(() => resolve())));
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      void Promise.race([drained, delay(200)]).then(() => {
        tail.flush();
        if (groupAlive(pid)) signalGroup(pid, 'SIGKILL'); // leftovers of a task that is gone
        untrackGroup(pid);
        resolve({ code, signal });
      });
    });
  });
  return {
    pid,
    logPath,
    commandLine,
    exited,
    get running() {
      return running;
    },
    output: () => tail.text(),
    terminate: async (options) => {
      await terminateGroup(pid, options);
      await Promise.race([exited, delay(1000)]);
      untrackGroup(pid);
    },
  };
}

function pipeStream(
  child: ChildProcess,
  name: 'stdout' | 'stderr',
  tail: OutputTail,
  log: WriteStream,
  mode: string,
  forward: ((line: string) => void) | undefined,
): void {
  const stream = child[name];
  if (stream === null) return;
  stream.setEncoding('utf8');
  const forwarding = forward !== undefined && (mode === 'stdout' || mode === 'all');
  stream.on('data', (chunk: string) => {
    log.write(chunk);
    const lines = tail.push(name, chunk);
    if (forwarding) for (const line of lines) forward(line);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._#-]/g, '_');
}
