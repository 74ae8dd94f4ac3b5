/** Helpers shared by the agent's tests (not part of the agent's API). */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../common/testing/wait.ts';
import { isAlive } from './process-group.ts';
import type { CommandSpec, LaunchOp, TransitionOp } from './types.ts';

/** A fresh temporary folder and its removal. */
export function tempDir(prefix = 'axle-agent-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function commandSpec(fields: Partial<CommandSpec> = {}): CommandSpec {
  return { value: '', arguments: [], env: [], user: '', shell: false, stdout: '', stderr: '', ...fields };
}

export function launchOp(taskId: string, fields: Partial<LaunchOp> = {}): LaunchOp {
  return {
    kind: 'launch',
    taskId,
    environmentId: 'env1',
    name: `task#${taskId}`,
    path: `role.${taskId}`,
    controlMode: 'direct',
    command: commandSpec(),
    binds: [],
    simulated: false,
    timeoutMs: 0,
    labels: {},
    ...fields,
  };
}

export function transitionOp(
  taskId: string,
  event: string,
  srcState: string,
  timeoutMs = 10_000,
): TransitionOp {
  return { kind: 'transition', taskId, event, srcState, arguments: {}, timeoutMs };
}

/** Resolves when `predicate` holds (polled); rejects after `timeoutMs` × timeScale() naming `what` it waited for. */
export function eventually(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return waitUntil(what, predicate, timeoutMs);
}

/** The pids among `pids` that still run (zombies count as gone). */
export function survivors(pids: readonly number[]): number[] {
  return pids.filter((pid) => pid > 0 && isAlive(pid));
}

/** Reads a pid that a test process wrote to a file (waits for it to appear). */
export async function pidFromFile(path: string, timeoutMs = 5000): Promise<number> {
  const { readFileSync } = await import('node:fs');
  let pid = 0;
  await eventually(
    () => {
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
        return pid > 0;
      } catch {
        return false;
      }
    },
    timeoutMs,
    `pid file ${path}`,
  );
  return pid;
}

/** A port that nothing listens on right now (the system picks it on 127.0.0.1, then it is closed again). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
