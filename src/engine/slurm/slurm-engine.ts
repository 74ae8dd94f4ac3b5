/**
 * The `slurm` engine: Slurm owns the machines. Axle reads the nodes (resources, features, GRES, state) and refreshes
 * them; for each environment it asks for one heterogeneous allocation on exactly the nodes the scheduler chose, with
 * their CPU and memory, and starts one agent per node as a job step; teardown cancels the job and waits until
 * nothing of it runs. Nodes that Slurm reports down, drained or not responding, allocations that end under an
 * environment, and agent steps that end on their own are reported as host losses.
 */
import { join } from 'node:path';
import type { PortRange } from '../../common/ports.ts';
import type { HostOffer } from '../../scheduler/placement-types.ts';
import { agentEntry } from '../agent-entry.ts';
import { EngineError } from '../cluster-engine.ts';
import type { ClusterEngine, ClusterHost, HostDemand, HostLoss, Provisioned } from '../cluster-engine.ts';
import { allocate, cancel, listJobs, waitGone } from './allocation.ts';
import type { Component, SlurmJob } from './allocation.ts';
import { nodeTrouble, portRangesFor, readNodes } from './inventory.ts';
import { clusterHosts, hostOffers } from './slurm-offers.ts';
import type { SlurmNode } from './inventory.ts';
import type { SlurmCli } from './slurm-cli.ts';
import { launchStep } from './steps.ts';
import { PortRangeError, agentPortRanges } from '../../agent/ephemeral-ports.ts';
import type { AgentPortRanges } from '../../agent/ephemeral-ports.ts';
import { mkdirPrivate } from '../../agent/private-files.ts';
import type { StepProcess } from './steps.ts';

/** Memory given to a node's allocation when its tasks ask for none (the agent itself needs some). */
const MIN_ALLOCATION_MB = 64;
const STEP_EXIT_GRACE_MS = 10_000;

export interface SlurmEngineOptions {
  readonly cli: SlurmCli;
  /** The core's URL as the nodes reach it (`http://host:port`). */
  readonly coreUrl: string;
  /** Where srun logs go: `<stateDir>/logs/slurm/<environment>/<node>.log`. */
  readonly stateDir: string;
  /**
   * The program and arguments that run the agent on a node (default: this Node and this checkout — the bundle from
   * `npm run build` when it exists, else the sources through tsx).
   */
  readonly agentCommand?: readonly string[];
  /** Agent state folder on the nodes, `{node}` replaced by the node's name (default `<stateDir>/nodes/{node}`). */
  readonly nodeStateDir?: string;
  /** Only nodes of this partition are used, and allocations are made in it. */
  readonly partition?: string;
  /** How often the node list and the allocations are re-read (default 1 s). */
  readonly refreshMs?: number;
  /** How long an allocation may wait for resources before it is refused (default 30 s). */
  readonly allocationWaitS?: number;
  readonly log?: (line: string) => void;
}

interface Allocation {
  readonly environmentId: string;
  readonly jobId: string;
  readonly allocationMs: number;
  readonly components: readonly Component[];
  /** What the environment's tasks want per node (components are rounded up from it). */
  readonly demand: readonly HostDemand[];
  readonly steps: StepProcess[];
  /** Hosts already reported lost (each is reported once). */
  readonly lost: Set<string>;
  released: boolean;
}

export class SlurmEngine implements ClusterEngine {
  readonly kind = 'slurm';
  private nodes: readonly SlurmNode[] = [];
  private ports: ReadonlyMap<string, { control: PortRange; tcp: PortRange }> = new Map();
  /**
   * Ports Axle assigns on Slurm nodes: the default ranges outside the ephemeral range (read on the core's host; the
   * nodes are taken to be set up alike, and an agent refuses a range that overlaps its own host's), where outgoing
   * connections would otherwise take them. Nodes sharing an address split these ranges.
   */
  private readonly portRanges: AgentPortRanges;
  private readonly allocations = new Map<string, Allocation>();
  private readonly listeners = new Set<(loss: HostLoss) => void>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /** Why the last refresh failed (the controller unreachable); undefined when it worked. */
  lastError: string | undefined;

  private constructor(private readonly o: SlurmEngineOptions) {
    try {
      this.portRanges = agentPortRanges({});
    } catch (e: unknown) {
      throw e instanceof PortRangeError ? new EngineError(e.message) : e;
    }
  }

  /**
   * Reads the cluster once and keeps refreshing it.
   * @throws EngineError when the controller cannot be read or offers no node.
   */
  static async start(o: SlurmEngineOptions): Promise<SlurmEngine> {
    const engine = new SlurmEngine(o);
    await engine.refresh();
    if (engine.lastError !== undefined)
      throw new EngineError(`cannot read the Slurm cluster: ${engine.lastError}`);
    const p = o.partition;
    if (!engine.nodes.some((n) => p === undefined || n.partitions.includes(p)))
      throw new EngineError(
        'the Slurm cluster has no nodes' + (o.partition ? ` in partition ${o.partition}` : ''),
      );
    engine.timer = setInterval(() => void engine.refresh(), o.refreshMs ?? 1000);
    engine.timer.unref();
    return engine;
  }

  offers(): readonly HostOffer[] {
    return hostOffers(this.usableNodes(), this.ports, [...this.allocations.values()]);
  }

  inventory(): readonly ClusterHost[] {
    return clusterHosts(this.nodes, [...this.allocations.values()]);
  }

  async provision(environmentId: string, demand: readonly HostDemand[]): Promise<Provisioned> {
    if (this.allocations.has(environmentId)) await this.release(environmentId);
    const components = demand.map((d) => ({
      node: d.host,
      cpus: Math.max(1, Math.ceil(d.cpu)),
      memoryMb: Math.max(MIN_ALLOCATION_MB, Math.ceil(d.memoryMb)),
    }));
    const granted = await this.allocate(environmentId, components);
    const alloc: Allocation = {
      environmentId,
      jobId: granted.jobId,
      allocationMs: granted.ms,
      components,
      demand,
      steps: [],
      lost: new Set(),
      released: false,
    };
    this.allocations.set(environmentId, alloc);
    this.log(
      `environment ${environmentId}: Slurm job ${granted.jobId} on ${hostList(components)} (${granted.ms} ms)`,
    );
    components.forEach((c, i) =>
      alloc.steps.push(this.startAgent(alloc, c, components.length > 1 ? i : undefined)),
    );
    return { allocation: granted.jobId, allocationMs: granted.ms };
  }

  async release(environmentId: string): Promise<void> {
    const alloc = this.allocations.get(environmentId);
    if (alloc === undefined) return;
    alloc.released = true;
    try {
      await cancel(this.o.cli, alloc.jobId);
      if (!(await waitGone(this.o.cli, alloc.jobId, 30_000)))
        this.log(`Slurm job ${alloc.jobId} still listed 30 s after scancel`);
    } catch (e: unknown) {
      this.log(`ending Slurm job ${alloc.jobId} failed: ${message(e)}`);
    }
    await Promise.all(alloc.steps.map((s) => endStep(s)));
    this.allocations.delete(environmentId);
  }

  onHostLost(listener: (loss: HostLoss) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
    await Promise.all([...this.allocations.keys()].map((id) => this.release(id)));
  }

  /** The Slurm job of an environment and the time Slurm took to grant it. */
  allocationOf(environmentId: string): { jobId: string; allocationMs: number } | undefined {
    const a = this.allocations.get(environmentId);
    return a === undefined ? undefined : { jobId: a.jobId, allocationMs: a.allocationMs };
  }

  /** PIDs of the srun clients this engine runs (one per node and environment). */
  stepPids(): number[] {
    return [...this.allocations.values()].flatMap((a) => a.steps.map((s) => s.pid));
  }

  /** Re-reads nodes and jobs; reports lost hosts. One refresh at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= this.readCluster().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readCluster(): Promise<void> {
    try {
      this.nodes = await readNodes(this.o.cli);
      this.ports = portRangesFor(this.nodes, this.portRanges);
      const live = [...this.allocations.values()].filter((a) => !a.released);
      const jobs = live.length === 0 ? [] : await listJobs(this.o.cli, { all: true });
      this.lastError = undefined;
      for (const a of live) this.check(a, jobs);
    } catch (e: unknown) {
      this.lastError = message(e);
    }
  }

  /** Reports the hosts of `a` that Slurm no longer runs: troubled nodes, or the whole job when it ended. */
  private check(a: Allocation, jobs: readonly SlurmJob[]): void {
    for (const c of a.components) {
      const node = this.nodes.find((n) => n.name === c.node);
      const trouble = node === undefined ? 'gone from the cluster' : nodeTrouble(node);
      if (trouble !== undefined)
        this.lose(a, { host: c.node, reason: `Slurm reports node ${c.node} ${trouble}` });
    }
    const mine = jobs.filter((j) => j.jobId === a.jobId || j.hetJobId === a.jobId);
    const ended = mine.find((j) => !['RUNNING', 'PENDING', 'CONFIGURING'].includes(j.state));
    if (a.released || (mine.length > 0 && ended === undefined)) return;
    const why = ended === undefined ? 'is gone' : `ended (${ended.state})`;
    for (const c of a.components)
      this.lose(a, {
        host: c.node,
        environmentId: a.environmentId,
        reason: `Slurm job ${a.jobId} of environment ${a.environmentId} ${why} on ${c.node}`,
      });
  }

  private lose(a: Allocation, loss: HostLoss): void {
    if (a.released || a.lost.has(loss.host)) return;
    a.lost.add(loss.host);
    this.log(loss.reason);
    for (const l of this.listeners) l(loss);
  }

  private async allocate(environmentId: string, components: readonly Component[]) {
    try {
      return await allocate(this.o.cli, {
        name: `axle-${environmentId}`,
        components,
        ...(this.o.partition !== undefined ? { partition: this.o.partition } : {}),
        waitS: this.o.allocationWaitS ?? 30,
      });
    } catch (e: unknown) {
      throw new EngineError(`Slurm refused the allocation on ${hostList(components)}: ${message(e)}`);
    }
  }

  private startAgent(a: Allocation, c: Component, hetGroup: number | undefined): StepProcess {
    const logDir = join(this.o.stateDir, 'logs', 'slurm', a.environmentId);
    mkdirPrivate(logDir);
    const logPath = join(logDir, `${c.node}.log`);
    const step = launchStep(this.o.cli, {
      jobId: a.jobId,
      ...(hetGroup !== undefined ? { hetGroup } : {}),
      node: c.node,
      name: `axle-agent-${c.node}`,
      command: this.agentCommand(a, c),
      logPath,
    });
    void step.exited.then(({ code, signal }) =>
      this.lose(a, {
        host: c.node,
        environmentId: a.environmentId,
        reason: `the agent of environment ${a.environmentId} on ${c.node} (Slurm job ${a.jobId}) ended with ${
          signal ?? `exit code ${code ?? '?'}`
        }; its log: ${logPath}`,
      }),
    );
    return step;
  }

  /** The agent's command line for one node of an allocation. */
  private agentCommand(a: Allocation, c: Component): string[] {
    const ports = this.ports.get(c.node);
    const stateDir = (this.o.nodeStateDir ?? join(this.o.stateDir, 'nodes', '{node}')).replace(
      '{node}',
      c.node,
    );
    return [
      ...(this.o.agentCommand ?? [process.execPath, ...agentEntry(true)]),
      ...['--core', this.o.coreUrl, '--host', c.node, '--scope', a.environmentId, '--exit-with-slurmd'],
      ...['--cpu', String(c.cpus), '--memory', String(c.memoryMb), '--state-dir', stateDir],
      ...(ports === undefined
        ? []
        : ['--control-ports', rangeText(ports.control), '--tcp-ports', rangeText(ports.tcp)]),
      ...this.advertiseFlag(c.node),
    ];
  }

  /** Tasks bind and publish their TCP channels on the node's address as Slurm knows it (NodeAddr). */
  private advertiseFlag(node: string): string[] {
    const address = this.nodes.find((n) => n.name === node)?.address ?? '';
    return address === '' ? [] : ['--advertise-address', address];
  }

  private usableNodes(): SlurmNode[] {
    const p = this.o.partition;
    return this.nodes.filter(
      (n) => nodeTrouble(n) === undefined && (p === undefined || n.partitions.includes(p)),
    );
  }

  private log(line: string): void {
    this.o.log?.(line);
  }
}

/** Waits for an srun client to end after scancel; SIGKILLs it when it does not. */
async function endStep(step: StepProcess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STEP_EXIT_GRACE_MS);
  });
  if ((await Promise.race([step.exited, late])) === 'late') {
    step.kill('SIGKILL');
    await step.exited;
  }
  clearTimeout(timer);
}

function hostList(components: readonly Component[]): string {
  return components.map((c) => c.node).join(', ');
}

function rangeText(r: { first: number; last: number }): string {
  return `${r.first}-${r.last}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
