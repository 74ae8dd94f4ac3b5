/**
 * The `local` engine: runs agent processes on this machine (`node --import tsx src/agent/main.ts …`), each hosting
 * one or more (posing) agents, and stops them by PID. An agent process that ends while the engine runs is started
 * again after a backoff (0.5 s doubling to 10 s; back to 0.5 s once a process has run for 30 s), each exit and
 * restart logged. With `outliveCore` (as `axle core` runs it), agent processes run in their own session and outlive a
 * core that crashes (their tasks keep
 * running, and they keep trying to reconnect); they are recorded in `<stateDir>/local-agents.json`, and an engine
 * started again on the same state directory adopts the live ones (watched by PID) instead of starting duplicates, and
 * starts new ones for the dead. `stop()` (a normal core stop) ends them all.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { isAlive, isOurAgent, readRecords, removeRecords, writeRecords } from './agent-records.ts';
import type { AgentRecords } from './agent-records.ts';
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
  /**
   * Agent processes run in their own session and outlive this process when it crashes (`axle core`). Default false:
   * they end with this process (`--exit-with-parent`), the safety net of cores embedded in tests and benchmarks.
   */
  readonly outliveCore?: boolean;
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

/** An agent process: started by this engine, or adopted from a previous core (then watched by PID). */
interface AgentProcess {
  readonly pid: number;
  readonly exited: Promise<void>;
  readonly startedAt: number;
  alive: boolean;
  /** How it ended (`exit code 1`, `signal SIGKILL`, `gone` for an adopted process). */
  ending(): string;
  exitStatus(): [number | null, NodeJS.Signals | null];
  kill(signal: NodeJS.Signals): void;
}

/** How often an adopted agent process is checked. */
const ADOPTED_POLL_MS = 250;

/** One agent process the engine keeps running: what it hosts, and its current process. */
interface Slot {
  readonly spawn: () => AgentProcess;
  /** Writes the engine's agent records (after a process was started). */
  readonly record: () => void;
  readonly hosts: string;
  proc: AgentProcess;
  backoffMs: number;
  restartTimer: NodeJS.Timeout | undefined;
}

export class LocalEngine {
  private constructor(
    private readonly slots: readonly Slot[],
    private readonly status: { stopping: boolean },
    private readonly stateDir: string,
  ) {}

  /** Spawns the agent processes (they connect to the core in the background). Agent output goes to
   *  `<stateDir>/logs/agents/agent-<n>.log`. */
  static async start(options: LocalEngineOptions): Promise<LocalEngine> {
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
    const previous = await previousAgents(options);
    const slots: Slot[] = [];
    const record = (): void => recordSlots(options, slots);
    groups.forEach((agents, i) => {
      const ports = { control: control[i] ?? ranges.control, tcp: tcp[i] ?? ranges.tcp };
      const spawn = (): AgentProcess =>
        spawnAgent(options, agents, ports, join(logDir, `agent-${i + 1}.log`));
      const hosts = agents.map((a) => a.host).join(',');
      const old = previous.find((p) => p.slot === i && p.hosts === hosts);
      const proc = old === undefined ? undefined : adoptAgent(old.pid, old.startedAt);
      if (proc !== undefined)
        options.log?.(`local engine: adopted agent process ${proc.pid} (${hosts}) left by the previous core`);
      const slot: Slot = {
        spawn,
        record,
        hosts,
        proc: proc ?? spawn(),
        backoffMs: 0,
        restartTimer: undefined,
      };
      slots.push(slot);
      superviseSlot(slot, options.restart ?? DEFAULT_RESTART, status, options);
    });
    record();
    await Promise.all(
      previous.filter((p) => !slots.some((s) => s.proc.pid === p.pid)).map((p) => endStray(p.pid, options)),
    );
    return new LocalEngine(slots, status, options.stateDir);
  }

  /** PIDs of the agent processes running now (a restarted process has a new one). */
  pids(): number[] {
    return this.slots
      .map((s) => s.proc)
      .filter((p) => p.alive && p.pid > 0)
      .map((p) => p.pid);
  }

  /** SIGTERMs every agent (which ends its tasks), SIGKILLs those still there after 5 s; resolves when all exited. */
  async stop(): Promise<void> {
    this.status.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    await Promise.all(this.slots.map((s) => stopAgent(s.proc)));
    removeRecords(this.stateDir);
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
    const pid = proc.pid;
    options.onAgentExit?.(pid, ...proc.exitStatus());
    const lived = Date.now() - proc.startedAt;
    slot.backoffMs =
      lived >= policy.stableMs || slot.backoffMs === 0
        ? policy.minMs
        : Math.min(slot.backoffMs * 2, policy.maxMs);
    const how = proc.ending();
    options.log?.(
      `local engine: agent process ${pid} (${slot.hosts}) ended (${how}) after ${lived} ms; ` +
        `restarting in ${slot.backoffMs} ms`,
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (status.stopping) return;
      slot.proc = slot.spawn();
      slot.record();
      options.log?.(`local engine: agent process for ${slot.hosts} restarted (pid ${slot.proc.pid})`);
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
    ...(options.simulatedOnly === true ? ['--simulated-only'] : []),
    ...(options.outliveCore === true ? [] : ['--exit-with-parent']),
  ];
  const log = openPrivate(logPath);
  // Its own session: a core that crashes (or its terminal) takes neither the agent nor its tasks along.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', log, log],
    detached: options.outliveCore === true,
  });
  closeSync(log);
  return childAgent(child);
}

function childAgent(child: ChildProcess): AgentProcess {
  const proc: AgentProcess = {
    pid: child.pid ?? 0,
    startedAt: Date.now(),
    alive: true,
    exited: new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    }),
    ending: () =>
      child.signalCode !== null ? `signal ${child.signalCode}` : `exit code ${child.exitCode ?? '?'}`,
    exitStatus: () => [child.exitCode, child.signalCode],
    kill: (signal) => void child.kill(signal),
  };
  void proc.exited.then(() => {
    proc.alive = false;
  });
  return proc;
}

/** A live agent process of an earlier core, watched by PID; undefined when `pid` is gone. */
function adoptAgent(pid: number, startedAt: number): AgentProcess | undefined {
  if (!isAlive(pid)) return undefined;
  const proc: AgentProcess = {
    pid,
    startedAt,
    alive: true,
    exited: new Promise((resolve) => {
      const timer = setInterval(() => {
        if (isAlive(pid)) return;
        clearInterval(timer);
        proc.alive = false;
        resolve();
      }, ADOPTED_POLL_MS);
    }),
    ending: () => 'gone (adopted process, status unknown)',
    exitStatus: () => [null, null],
    kill: (signal) => {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    },
  };
  return proc;
}

/** The agent processes the previous core recorded that are still ours and alive; those for another core URL are
 *  ended (they could never reach this core). */
async function previousAgents(options: LocalEngineOptions): Promise<AgentRecords['processes']> {
  const records = readRecords(options.stateDir);
  if (records === undefined) return [];
  const live = records.processes.filter((p) => isOurAgent(p.pid, options.stateDir, p.hosts));
  if (records.coreUrl === options.coreUrl) return live;
  options.log?.(
    `local engine: the previous core's agents connect to ${records.coreUrl}, not ${options.coreUrl}: ending them`,
  );
  await Promise.all(live.map((p) => endStray(p.pid, options)));
  return [];
}

/** Ends an agent process of an earlier core that no slot adopts (SIGTERM, then SIGKILL). */
async function endStray(pid: number, options: LocalEngineOptions): Promise<void> {
  const proc = adoptAgent(pid, Date.now());
  if (proc === undefined) return;
  options.log?.(`local engine: ending agent process ${pid} of the previous core (not used by this one)`);
  await stopAgent(proc);
}

function recordSlots(options: LocalEngineOptions, slots: readonly Slot[]): void {
  writeRecords(options.stateDir, {
    coreUrl: options.coreUrl,
    processes: slots.map((s, slot) => ({
      slot,
      hosts: s.hosts,
      pid: s.proc.pid,
      startedAt: s.proc.startedAt,
    })),
  });
}

async function stopAgent(proc: AgentProcess): Promise<void> {
  if (!proc.alive) return;
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), AGENT_STOP_GRACE_MS);
  });
  const outcome = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    proc.kill('SIGKILL');
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
