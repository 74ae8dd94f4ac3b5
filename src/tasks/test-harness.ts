/**
 * Test support: starts demo task programs as real processes (through their examples/tasks executables) on free
 * ports of 127.0.0.1, waits for their OCC server, and kills them all at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { createOccClient, type OccClient } from '../occ/occ-client.ts';
import { scaled, waitUntil } from '../common/testing/wait.ts';

const TASKS_DIR = fileURLToPath(new URL('../../examples/tasks/', import.meta.url));

/** A free TCP port on 127.0.0.1 (free when asked; good enough for tests). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface SpawnedTask {
  readonly child: ChildProcess;
  readonly port: number;
  readonly client: OccClient;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

/** Tracks spawned processes so that `killAll` (in `after`) leaves none behind. */
export class TaskPool {
  private readonly tasks: SpawnedTask[] = [];

  /** Starts examples/tasks/`program` with `--control-port`; resolves when GetState answers. */
  async spawn(
    program: string,
    args: readonly string[] = [],
    env: Record<string, string> = {},
  ): Promise<SpawnedTask> {
    const port = await freePort();
    const json = program !== 'readout';
    const argv = json ? [...args, '--id', program, '-P', 'OCClite'] : [...args];
    const child = spawn(`${TASKS_DIR}${program}`, [...argv, '--control-port', String(port)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.stderr.on('data', (b: Buffer) => (text += b.toString()));
    const exited = new Promise<number | string>((r) =>
      child.once('exit', (code, signal) => r(code ?? signal ?? -1)),
    );
    const task: SpawnedTask = {
      child,
      port,
      client: createOccClient(port, json ? 'json' : 'protobuf'),
      output: () => text,
      exited,
    };
    this.tasks.push(task);
    await waitForOcc(task);
    return task;
  }

  async killAll(): Promise<void> {
    for (const t of this.tasks.splice(0)) {
      t.client.close();
      if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGKILL');
      await t.exited;
    }
  }
}

async function waitForOcc(task: SpawnedTask): Promise<void> {
  const deadline = Date.now() + scaled(15_000);
  for (;;) {
    try {
      await task.client.getState({ timeoutMs: 500 });
      return;
    } catch (err: unknown) {
      if (Date.now() > deadline || task.child.exitCode !== null) {
        throw new Error(
          `task did not answer OCC GetState within ${scaled(15_000)} ms or exited: ${String(err)}\n${task.output()}`,
          { cause: err },
        );
      }
      await sleep(50);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns true; rejects after `timeoutMs` × timeScale() naming `what` it waited for. */
export function eventually(
  probe: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  return waitUntil(what, probe, timeoutMs);
}
