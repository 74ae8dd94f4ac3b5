/**
 * Process groups of task processes: liveness (zombies count as gone: an orphan nobody reaps is not running), the
 * SIGTERM → SIGINT → SIGKILL sequence, and the process-wide record of live groups that is killed synchronously when
 * the agent process exits, so that no task outlives it even on a crash.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!exists(pid)) return false;
  return statOf(pid)?.state !== 'Z';
}

/** True when some non-zombie process belongs to process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  if (!exists(-pgid)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: trust kill(0)
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

/** Sends `signal` to every process of group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export interface TerminateOptions {
  /** Wait after SIGTERM before SIGINT (AliECS: 2 s). */
  readonly termWaitMs?: number;
  /** Wait after SIGINT before SIGKILL (AliECS: 3 s). */
  readonly intWaitMs?: number;
  /** Wait after SIGKILL before giving up (a process in uninterruptible sleep). */
  readonly killWaitMs?: number;
}

/**
 * Ends a whole process group: SIGTERM, wait, SIGINT, wait, SIGKILL; resolves with the last signal that was needed
 * (`none` when the group was already gone) once no live process is left in the group (or after `killWaitMs`).
 */
export async function terminateGroup(
  pgid: number,
  options: TerminateOptions = {},
): Promise<'none' | 'SIGTERM' | 'SIGINT' | 'SIGKILL'> {
  const steps: ['SIGTERM' | 'SIGINT' | 'SIGKILL', number][] = [
    ['SIGTERM', options.termWaitMs ?? 2000],
    ['SIGINT', options.intWaitMs ?? 3000],
    ['SIGKILL', options.killWaitMs ?? 1000],
  ];
  let last: 'none' | 'SIGTERM' | 'SIGINT' | 'SIGKILL' = 'none';
  for (const [signal, waitMs] of steps) {
    if (!groupAlive(pgid)) return last;
    signalGroup(pgid, signal);
    last = signal;
    if (await waitGone(pgid, waitMs)) return last;
  }
  return last;
}

/** Polls until group `pgid` has no live process; false after `timeoutMs`. */
export async function waitGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 10; Date.now() < deadline; pause = Math.min(pause * 2, 100)) {
    if (!groupAlive(pgid)) return true;
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
  }
  return !groupAlive(pgid);
}

/** Groups that this process started and that are not known to be gone; all SIGKILLed at process exit. */
const liveGroups = new Set<number>();
let hookInstalled = false;

let groupsSink: ((groups: readonly number[]) => void) | undefined;

/** Receives the tracked groups after every change (the reaper keeps them in a file). */
export function onGroupsChanged(sink: (groups: readonly number[]) => void): void {
  groupsSink = sink;
  sink([...liveGroups]);
}

/** Records a task's process group so that the exit hook kills it. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  groupsSink?.([...liveGroups]);
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', killAllGroupsSync);
}

/** Forgets a group once it is gone. */
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
  groupsSink?.([...liveGroups]);
}

/** SIGKILLs every tracked group at once (synchronous: usable in `process.on('exit')`). */
export function killAllGroupsSync(): void {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  liveGroups.clear();
  groupsSink?.([]);
}

/** The groups currently tracked (for tests and diagnostics). */
export function trackedGroups(): readonly number[] {
  return [...liveGroups];
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function statOf(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}
