/**
 * For agents that Slurm starts as job steps: finds the slurmd of the agent's node on this machine and calls back
 * when it is gone. A node whose slurmd died cannot be controlled by Slurm any more (Slurm itself notices only after
 * SlurmdTimeout and then ends the job); the agent ends its tasks at once instead, so the core sees the node lost in
 * about a second. Linux only: reads /proc.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isAlive } from './process-group.ts';

/** The command line of a process as its words; empty when unreadable. */
function commandLine(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The PID of the slurmd serving `node`: the one started with `-N <node>` (several slurmds on one machine), else
 * the only slurmd started without `-N`. Undefined when there is none (or several) to choose.
 */
export function findSlurmd(node: string): number | undefined {
  const all: { pid: number; args: string[] }[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const args = commandLine(pid);
    if (args[0] !== undefined && /(^|\/)slurmd$/.test(args[0])) all.push({ pid: Number(pid), args });
  }
  const named = all.find((p) =>
    p.args.some((a, i) => (a === '-N' && p.args[i + 1] === node) || a === `-N${node}`),
  );
  if (named !== undefined) return named.pid;
  // A slurmd started with -N serves another node; only a sole unnamed slurmd can be this node's.
  const unnamed = all.filter((p) => !p.args.some((a) => a === '-N' || (a.startsWith('-N') && a.length > 2)));
  return unnamed.length === 1 ? unnamed[0]?.pid : undefined;
}

/**
 * Watches the slurmd of `node` (checked every `intervalMs`); calls `onGone` once when it has exited.
 * Returns undefined (nothing watched) when no slurmd of that node is visible, else the stop function.
 */
export function watchSlurmd(
  node: string,
  onGone: (pid: number) => void,
  intervalMs = 500,
): (() => void) | undefined {
  const pid = findSlurmd(node);
  if (pid === undefined) return undefined;
  const timer = setInterval(() => {
    if (isAlive(pid)) return;
    clearInterval(timer);
    onGone(pid);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
