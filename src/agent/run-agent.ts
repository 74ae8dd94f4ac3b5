/**
 * Runs agents in this process: each one an AgentRuntime wired to the core by a CoreLink. Several posing agents
 * (flp001, flp002, …) may share one process, one port allocator and one HTTP/2 connection to the core.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import type { Transport } from '@connectrpc/connect';
import { AgentRuntime } from './agent-runtime.ts';
import { CoreLink, createCoreTransport } from './core-link.ts';
import type { OccConnector } from './drivers/occ-connector.ts';
import { PortAllocator } from './port-allocator.ts';

/** Reported in Hello. */
export const AGENT_VERSION = '0.1.0';

/** One (posing) host. */
export interface AgentSpec {
  readonly host: string;
  /** Default: this machine's CPU count. */
  readonly cpu?: number;
  /** Default: this machine's memory. */
  readonly memoryMb?: number;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Settings shared by the agents of one process. */
export interface AgentProcessOptions {
  readonly stateDir: string;
  readonly simulatedOnly?: boolean;
  readonly ports?: PortAllocator;
  /** Share one connection to the core (default: a new gRPC transport for all agents of the call). */
  readonly transport?: Transport;
  readonly log?: (line: string) => void;
  /** Called when an agent that was connected loses its core stream. */
  readonly onDisconnect?: (host: string) => void;
  /** Called when the core refuses an agent for good (another agent serves its host); it no longer retries. */
  readonly onRefused?: (host: string, reason: string) => void;
  readonly occ?: OccConnector;
  /**
   * Environment id the agents serve alone (agents a cluster engine starts per environment): sent in Hello, and
   * launches of other environments are refused. Absent or empty: every environment.
   */
  readonly scope?: string;
  /** Host part of the TCP channel addresses the agents report (what peers dial; default 127.0.0.1). */
  readonly advertiseAddress?: string;
}

export interface AgentOptions extends AgentSpec, AgentProcessOptions {
  /** `host:port` or URL of the core. */
  readonly coreUrl: string;
}

export interface RunningAgent {
  readonly host: string;
  readonly runtime: AgentRuntime;
  readonly link: CoreLink;
  /** Kills every task of the agent, then closes its stream. */
  stop(): Promise<void>;
}

export interface RunningAgents {
  readonly agents: readonly RunningAgent[];
  stop(): Promise<void>;
}

/** Starts one agent (connects in the background; reconnects until stopped). */
export function runAgent(options: AgentOptions): RunningAgent {
  const log = options.log ?? defaultLog;
  const runtime = new AgentRuntime({
    stateDir: options.stateDir,
    log,
    host: options.host,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.advertiseAddress === undefined ? {} : { tcpHost: options.advertiseAddress }),
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    ...(options.simulatedOnly === undefined ? {} : { simulatedOnly: options.simulatedOnly }),
    ...(options.occ === undefined ? {} : { occ: options.occ }),
  });
  const { onDisconnect, onRefused } = options;
  const link = new CoreLink({
    coreUrl: options.coreUrl,
    runtime,
    log,
    identity: {
      host: options.host,
      agentId: `${options.host}-${randomUUID().slice(0, 8)}`,
      cpu: options.cpu ?? cpus().length,
      memoryMb: options.memoryMb ?? Math.floor(totalmem() / 2 ** 20),
      attributes: options.attributes ?? {},
      version: AGENT_VERSION,
      scope: options.scope ?? '',
      pid: process.pid,
    },
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(onDisconnect === undefined ? {} : { onDisconnect: () => onDisconnect(options.host) }),
    ...(onRefused === undefined ? {} : { onRefused: (reason: string) => onRefused(options.host, reason) }),
  });
  link.start();
  return {
    host: options.host,
    runtime,
    link,
    stop: async () => {
      await runtime.shutdown();
      await link.stop();
    },
  };
}

/** Starts several agents in this process, sharing one port allocator and one connection to the core. */
export function runAgents(
  specs: readonly AgentSpec[],
  coreUrl: string,
  options: AgentProcessOptions,
): RunningAgents {
  const ports = options.ports ?? new PortAllocator();
  const transport = options.transport ?? createCoreTransport(coreUrl);
  const agents = specs.map((spec) => runAgent({ ...options, ...spec, coreUrl, ports, transport }));
  return { agents, stop: async () => void (await Promise.all(agents.map((a) => a.stop()))) };
}

/** `flp001` … `flpNNN` (at least three digits). */
export function posingHosts(count: number, prefix = 'flp'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);
}

function defaultLog(line: string): void {
  process.stderr.write(`${new Date().toISOString()} agent ${line}\n`);
}
