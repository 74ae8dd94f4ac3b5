/**
 * Test helper: a real Slurm cluster (munged, slurmctld, one slurmd per node, all on 127.0.0.1) in a fresh temp
 * folder, started and stopped through scripts/slurm. Needs root and the Debian Slurm packages (scripts/slurm install).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '../../agent/process-group.ts';
import { scaled, waitUntil } from '../../common/testing/wait.ts';
import { SlurmCli } from './slurm-cli.ts';

const SCRIPT = fileURLToPath(new URL('../../../scripts/slurm', import.meta.url));

/** Test clusters pick their base port in [36200, 36200 + 10·PORT_SLOTS), 10 ports apart. */
const PORT_BASE = 36200;
const PORT_SLOTS = 70;

export interface TestClusterOptions {
  /** Nodes flp001… (default 4; at most 9). */
  readonly nodes?: number;
  /** slurmctld port; the nodes use the next ones (default: a free slot from 36200 up, chosen at random). */
  readonly basePort?: number;
}

export interface TestCluster {
  readonly dir: string;
  /** Path of slurm.conf. */
  readonly conf: string;
  readonly basePort: number;
  /** A client bound to this cluster. */
  readonly cli: SlurmCli;
  /** Cancels every job, stops the daemons and the steps' processes, removes the folder. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILLs a node's slurmd and every step process on it (a lost machine). */
  killNode(node: string): Promise<void>;
  /** SIGKILLs only the node's slurmd (the job steps on it keep running). */
  killSlurmd(node: string): Promise<void>;
  /** Starts the node's slurmd again and waits until it is idle. */
  reviveNode(node: string): Promise<void>;
}

/** Starts a cluster whose nodes are all idle when the promise resolves (a few seconds at most). */
export async function startTestCluster(o: TestClusterOptions = {}): Promise<TestCluster> {
  const nodes = o.nodes ?? 4;
  const basePort = o.basePort ?? (await freeBasePort(nodes + 1));
  const dir = mkdtempSync(join(tmpdir(), 'axle-slurm-'));
  chmodSync(dir, 0o755); // munged runs as user munge and must reach <dir>/munge
  const conf = join(dir, 'slurm.conf');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await script(['stop', dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await script(['start', dir, String(basePort), String(nodes)]);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    dir,
    conf,
    basePort,
    cli: new SlurmCli({ conf }),
    stop,
    killNode: (node) => script(['kill-node', dir, node]),
    killSlurmd: (node) => script(['kill-slurmd', dir, node]),
    reviveNode: (node) => script(['revive-node', dir, node]),
  };
}

/** Runs scripts/slurm; kills it after 60 s × timeScale() (its own waits are bounded by 30 s × the same factor). */
function script(args: readonly string[]): Promise<void> {
  const limit = scaled(60_000);
  return new Promise((resolve, reject) => {
    execFile(SCRIPT, [...args], { timeout: limit }, (err, _stdout, stderr) => {
      if (err === null) return resolve();
      const why = err.killed === true ? `timed out after ${limit} ms` : err.message;
      reject(new Error(`scripts/slurm ${args.join(' ')}: ${why}\n${stderr}`, { cause: err }));
    });
  });
}

/** A random base port with `count` consecutive free ports (probed on all interfaces, as slurmctld binds them). */
async function freeBasePort(count: number): Promise<number> {
  const start = Math.floor(Math.random() * PORT_SLOTS);
  for (let i = 0; i < PORT_SLOTS; i++) {
    const base = PORT_BASE + ((start + i) % PORT_SLOTS) * 10;
    if (await allFree(base, count)) return base;
  }
  throw new Error(`no ${count} free ports from ${PORT_BASE}`);
}

async function allFree(base: number, count: number): Promise<boolean> {
  for (let p = base; p < base + count; p++) if (!(await isFree(p))) return false;
  return true;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Polls `check` every 100 ms until it returns true; rejects naming `what` after `timeoutMs` × timeScale(). */
export function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return waitUntil(what, check, timeoutMs, 100);
}

/**
 * PIDs of processes running inside a job step of the cluster whose slurm.conf is `conf` (agents and their tasks:
 * their environment names the cluster and the node), zombies left out.
 */
export function stepProcesses(conf: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!isAlive(Number(name))) continue;
      const vars = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (vars.includes(`SLURM_CONF=${conf}`) && vars.some((v) => v.startsWith('SLURMD_NODENAME=')))
        out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** True while a process with this PID exists (zombies included). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
