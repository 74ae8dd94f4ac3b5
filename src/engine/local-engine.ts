/**
 * The `local` engine: runs agent processes on this machine (`node --import tsx src/agent/main.ts …`), each hosting
 * one or more (posing) agents, and stops them by PID. An agent process that ends while the engine runs is started
 * again after a backoff (0.5 s doubling to 10 s; back to 0.5 s once a process has run for 30 s), each exit and
 * restart logged. Agents exit on their own when this process goes away (`--exit-with-parent`), so a crashed core
 * leaves no agent behind.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { splitRange } from '../common/ports.ts';
import { agentPortRanges } from '../agent/ephemeral-ports.ts';
import { mkdirPrivate, openPrivate } from '../agent/private-files.ts';
import type { AgentPortRanges } from '../agent/ephemeral-ports.ts';
import type { PortRange } from '../common/ports.ts';
import type { AgentSpec } from '../agent/run-agent.ts';
import { agentEntry } from './agent-entry.ts';

/** Time an agent gets to end its tasks after SIGTERM before it is SIGKILLed. */
export const AGENT_STOP_GRACE_MS = 5000;

export interface LocalEngineOptions {
  /** `host:port` of the core's AgentService. */
  readonly coreUrl: string;
  readonly agents: readonly AgentSpec[];
  /** Number of agent processes the agents are spread over (default 1; at most one per agent). */
  readonly processes?: number;
  readonly stateDir: string;
  /** Every task runs simulated (benchmarks). */
  readonly simulatedOnly?: boolean;
  /** Run agents from the bundled program when it exists (`npm run build`), with lean V8 settings. */
  readonly compiled?: boolean;
  /** The bundle `compiled` runs (default dist/axle-agent.mjs). */
  readonly agentBundle?: string;
  /** Called when an agent process ends while the engine is not stopping it. */
  readonly onAgentExit?: (pid: number, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Restart backoff of agent processes that end (default 500 ms doubling to 10 s, reset after 30 s of life). */
  readonly restart?: RestartPolicy;
  /** The core's log: agent process exits and restarts, one line each. */
  readonly log?: (line: string) => void;
}

export interface RestartPolicy {
  readonly minMs: number;
  readonly maxMs: number;
  /** A process that ran this long before it ended is restarted after `minMs` again. */
  readonly stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { minMs: 500, maxMs: 10_000, stableMs: 30_000 };

interface AgentProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly startedAt: number;
  alive: boolean;
}

/** One agent process the engine keeps running: what it hosts, and its current process. */
interface Slot {
  readonly spawn: () => AgentProcess;
  readonly hosts: string;
  proc: AgentProcess;
  backoffMs: number;
  restartTimer: NodeJS.Timeout | undefined;
}

export class LocalEngine {
  private constructor(
    private readonly slots: readonly Slot[],
    private readonly status: { stopping: boolean },
  ) {}

  /** Spawns the agent processes (they connect to the core in the background). Agent output goes to
   *  `<stateDir>/logs/agents/agent-<n>.log`. */
  static start(options: LocalEngineOptions): Promise<LocalEngine> {
    const groups = spread(options.agents, options.processes ?? 1);
    let ranges: AgentPortRanges;
    try {
      ranges = agentPortRanges({});
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const control = splitRange(ranges.control, groups.length);
    const tcp = splitRange(ranges.tcp, groups.length);
    const logDir = join(options.stateDir, 'logs', 'agents');
    mkdirPrivate(logDir);
    const status = { stopping: false };
    const slots = groups.map((agents, i): Slot => {
      const ports = { control: control[i] ?? ranges.control, tcp: tcp[i] ?? ranges.tcp };
      const spawn = (): AgentProcess =>
        spawnAgent(options, agents, ports, join(logDir, `agent-${i + 1}.log`));
      const policy = options.restart ?? DEFAULT_RESTART;
      const slot: Slot = {
        spawn,
        hosts: agents.map((a) => a.host).join(','),
        proc: spawn(),
        backoffMs: 0,
        restartTimer: undefined,
      };
      superviseSlot(slot, policy, status, options);
      return slot;
    });
    return Promise.resolve(new LocalEngine(slots, status));
  }

  /** PIDs of the agent processes running now (a restarted process has a new one). */
  pids(): number[] {
    return this.slots
      .map((s) => s.proc)
      .filter((p) => p.alive && p.child.pid !== undefined)
      .map((p) => p.child.pid as number);
  }

  /** SIGTERMs every agent (which ends its tasks), SIGKILLs those still there after 5 s; resolves when all exited. */
  async stop(): Promise<void> {
    this.status.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    await Promise.all(this.slots.map((s) => stopAgent(s.proc)));
  }
}

/** Restarts the slot's process whenever it ends while the engine is not stopping, with backoff, logging both. */
function superviseSlot(
  slot: Slot,
  policy: RestartPolicy,
  status: { readonly stopping: boolean },
  options: LocalEngineOptions,
): void {
  const proc = slot.proc;
  void proc.exited.then(() => {
    if (status.stopping) return;
    const { pid, exitCode, signalCode } = proc.child;
    options.onAgentExit?.(pid ?? 0, exitCode, signalCode);
    const lived = Date.now() - proc.startedAt;
    slot.backoffMs =
      lived >= policy.stableMs || slot.backoffMs === 0
        ? policy.minMs
        : Math.min(slot.backoffMs * 2, policy.maxMs);
    const how = signalCode !== null ? `signal ${signalCode}` : `exit code ${exitCode ?? '?'}`;
    options.log?.(
      `local engine: agent process ${pid ?? '?'} (${slot.hosts}) ended (${how}) after ${lived} ms; ` +
        `restarting in ${slot.backoffMs} ms`,
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (status.stopping) return;
      slot.proc = slot.spawn();
      options.log?.(
        `local engine: agent process for ${slot.hosts} restarted (pid ${slot.proc.child.pid ?? '?'})`,
      );
      superviseSlot(slot, policy, status, options);
    }, slot.backoffMs);
  });
}

function spawnAgent(
  options: LocalEngineOptions,
  agents: readonly AgentSpec[],
  ports: { control: PortRange; tcp: PortRange },
  logPath: string,
): AgentProcess {
  const args = [
    ...agentEntry(options.compiled === true, options.agentBundle),
    ...['--core', options.coreUrl, '--agents-json', JSON.stringify(agents), '--state-dir', options.stateDir],
    ...['--control-ports', `${ports.control.first}-${ports.control.last}`],
    ...['--tcp-ports', `${ports.tcp.first}-${ports.tcp.last}`],
    '--exit-with-parent',
    ...(options.simulatedOnly === true ? ['--simulated-only'] : []),
  ];
  const log = openPrivate(logPath);
  const child = spawn(process.execPath, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const proc: AgentProcess = {
    child,
    startedAt: Date.now(),
    alive: true,
    exited: new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    }),
  };
  void proc.exited.then(() => {
    proc.alive = false;
  });
  return proc;
}

async function stopAgent(proc: AgentProcess): Promise<void> {
  if (!proc.alive) return;
  proc.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), AGENT_STOP_GRACE_MS);
  });
  const outcome = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}

/** Spreads agents over `count` groups round-robin (no empty group). */
function spread(agents: readonly AgentSpec[], count: number): AgentSpec[][] {
  if (agents.length === 0) return [];
  const n = Math.max(1, Math.min(count, agents.length));
  const groups: AgentSpec[][] = Array.from({ length: n }, () => []);
  agents.forEach((agent, i) => groups[i % n]?.push(agent));
  return groups;
}
