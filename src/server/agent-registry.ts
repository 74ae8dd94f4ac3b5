/**
 * The core's side of the agent protocol and its TaskController: connected agents by host (and, for agents a cluster
 * engine starts per environment, by host and environment), placement of launches with the scheduler, provisioning
 * through the cluster engine, commands with results, and task reports turned into TaskUpdates. An agent that
 * disconnects or stays silent for `lostAfterMs` (time the core itself was stalled excluded, see liveness.ts), or a
 * host the engine reports lost, makes its tasks LOST, naming the host. A second agent for a connected host is
 * refused; an agent that comes back re-attaches the tasks its Hello lists.
 */
import { create } from '@bufbuild/protobuf';
import type {
  TaskController,
  HookResult,
  HostInfo,
  LaunchRequest,
  LaunchResult,
  TaskUpdate,
  TransitionResult,
  TaskUpdateKind,
  TransitionItem,
} from '../environment/task-controller.ts';
import { KillSchema, TransitionSchema, TriggerHookSchema } from '../gen/axle/agent/v1/agent_pb.ts';
import type { CommandResult, TaskReport, TaskUpdate as WireUpdate } from '../gen/axle/agent/v1/agent_pb.ts';
import type { ClusterEngine, HostLoss } from '../engine/cluster-engine.ts';
import { Ledger } from '../scheduler/placement-ledger.ts';
import type { HostOffer } from '../scheduler/placement-types.ts';
import { sendLaunches } from './agent-launch.ts';
import type { PlacedLaunch } from './agent-launch.ts';
import type { AgentLink } from './agent-link.ts';
import { AgentWaiter, linkKey } from './agent-waiter.ts';
import { clusterView } from './cluster-view.ts';
import type { ClusterView } from './cluster-view.ts';
import { demandOf, placeLaunches } from './launch-placement.ts';
import type { Placement } from './launch-placement.ts';
import { LoopStallMeter } from './liveness.ts';
import { placeWaitingForHosts } from './host-wait.ts';

const MARGIN_MS = 5_000;
/** The Hello feature of agents that take KillBatch. */
export const KILL_BATCH_FEATURE = 'kill-batch';
/** The Hello feature of agents that take TransitionBatch.shared_arguments. */
export const SHARED_ARGUMENTS_FEATURE = 'shared-arguments';

/** The one arguments object all of an agent's items carry (built once per transition), if the agent takes it once. */
function sharedArgs(
  link: AgentLink,
  idx: readonly number[],
  items: readonly TransitionItem[],
): Readonly<Record<string, string>> | undefined {
  if (!link.hello.features.includes(SHARED_ARGUMENTS_FEATURE)) return undefined;
  const first = items[idx[0] as number]?.args;
  return first !== undefined && idx.every((i) => items[i]?.args === first) ? first : undefined;
}
/** Time agents started by a cluster engine get to connect. */
const AGENT_CONNECT_MS = 30_000;
const UPDATE_KINDS: readonly TaskUpdateKind[] = [
  'END_OF_STREAM',
  'TASK_INTERNAL_ERROR',
  'BASIC_TASK_TERMINATED',
  'EXITED',
  'LOST',
];

export interface AgentRegistryOptions {
  /** Silence (core stalls excluded) after which an agent is lost; default 3 s. */
  readonly lostAfterMs?: number;
  /** The core's log: one line per agent arrival, loss and refusal. */
  readonly log?: (line: string) => void;
}

export class AgentRegistry implements TaskController {
  readonly lostAfterMs: number;
  private readonly agents = new Map<string, AgentLink>();
  private readonly taskHost = new Map<string, string>();
  private readonly listeners = new Set<(u: TaskUpdate) => void>();
  private readonly ledger = new Ledger();
  private readonly watchdog: LoopStallMeter;
  private readonly waiter = new AgentWaiter();
  private readonly log: (line: string) => void;
  private unsubscribeEngine: () => void = () => undefined;
  /** Called at each agent attach (DEPLOYs waiting for hosts). */
  private readonly attachListeners = new Set<() => void>();
  /** Hosts the core's own engine runs agents on: DEPLOY waits for them when they are not connected. */
  private expected: ReadonlySet<string> = new Set();
  private stopped = false;
  private returnTimer: NodeJS.Timeout | undefined;
  /** Tasks an agent reported on (an exit, say) while `expectReturning` waits. */
  private readonly heardOf = new Set<string>();
  private cluster: ClusterEngine | undefined;

  constructor(options: AgentRegistryOptions = {}) {
    this.lostAfterMs = options.lostAfterMs ?? 3_000;
    this.log = options.log ?? (() => undefined);
    this.watchdog = new LoopStallMeter(Math.min(500, this.lostAfterMs / 2), (stall, now) =>
      this.tick(stall, now),
    );
  }

  /** From now on, hosts come from `cluster` and each environment's agents are provisioned through it. */
  useCluster(cluster: ClusterEngine): void {
    this.unsubscribeEngine();
    this.cluster = cluster;
    this.unsubscribeEngine = cluster.onHostLost((loss) => this.hostLost(loss));
  }

  /**
   * A new agent stream. Refused, with the reason, while another agent serves the same host (and scope); the same
   * agent (equal agent id) reconnecting replaces its older stream. The tasks its Hello lists are re-attached.
   */
  attach(link: AgentLink): string | undefined {
    const key = linkKey(link);
    const old = this.agents.get(key);
    if (old !== undefined && old !== link) {
      if (!sameAgent(old, link)) {
        const reason =
          `an agent for host ${link.host} is already connected (${describe(old)}, since ` +
          `${new Date(old.connectedAt).toISOString()}): refusing ${describe(link)}`;
        this.log(`agent ${link.host} refused: ${reason}`);
        return reason;
      }
      this.replace(old, link);
    }
    this.agents.set(key, link);
    this.log(
      `agent ${link.host} connected (${describe(link)}, ${link.hello.tasks.length} running task(s) re-attached)`,
    );
    for (const t of link.hello.tasks) this.reattach(link, t);
    this.waiter.attached(key);
    for (const f of [...this.attachListeners]) f();
    return undefined;
  }

  /** The hosts of the core's local agents, which DEPLOY waits for when they are not (yet, or again) connected. */
  expectHosts(hosts: readonly string[]): void {
    this.expected = new Set(hosts);
  }

  /** Resolves undefined once agents of all `hosts` are connected, else with why not after `timeoutMs`. */
  waitForHosts(hosts: readonly string[], timeoutMs: number): Promise<string | undefined> {
    return this.waiter.waitFor(hosts, timeoutMs, (k) => this.agents.has(k));
  }

  detach(link: AgentLink, reason: string): void {
    const key = linkKey(link);
    if (this.agents.get(key) !== link) return;
    this.agents.delete(key);
    link.close(reason);
    this.log(`agent ${link.host} lost (${describe(link)}, ${link.tasks.size} task(s) lost): ${reason}`);
    this.loseTasks(link, [...link.tasks], reason);
  }

  /** A message from the agent was read; `heartbeat` carries the agent's send time and sequence. */
  heartbeat(link: AgentLink, heartbeat?: { readonly sentAt: number; readonly sequence: bigint }): void {
    link.liveness.heard(Date.now(), heartbeat);
  }

  /** An update reported by an agent. */
  report(u: WireUpdate): void {
    const kind = UPDATE_KINDS.find((k) => k === u.event) ?? 'STATE';
    if (this.returnTimer !== undefined) this.heardOf.add(u.taskId);
    this.emit({
      taskId: u.taskId,
      kind,
      ...(u.state !== '' ? { state: u.state } : {}),
      ...(kind === 'EXITED' || kind === 'BASIC_TASK_TERMINATED' ? { exitCode: u.exitCode } : {}),
      ...(u.output !== '' ? { output: u.output } : {}),
      ...(u.reason !== '' ? { reason: u.reason } : {}),
    });
  }

  /** The hosts tasks can be placed on: the cluster engine's machines, or else the connected agents' hosts. */
  hosts(): HostInfo[] {
    return this.offers().map((o) => ({
      host: o.host,
      cpu: o.cpu,
      memoryMb: o.memoryMb,
      attributes: o.attributes,
    }));
  }

  /**
   * After a core restart: tasks that ran when the core went away. Their agents re-attach them as they reconnect;
   * those no agent has reported after `graceMs` are LOST, with the reason.
   */
  expectReturning(tasks: readonly { taskId: string; host: string }[], graceMs: number): void {
    if (tasks.length === 0) return;
    clearTimeout(this.returnTimer);
    this.returnTimer = setTimeout(() => {
      this.returnTimer = undefined;
      const missing = tasks.filter((t) => !this.taskHost.has(t.taskId) && !this.heardOf.has(t.taskId));
      this.heardOf.clear();
      if (missing.length > 0)
        this.log(
          `${missing.length} task(s) not reported by their agents within ${graceMs} ms of the restart`,
        );
      for (const t of missing)
        this.emit({
          taskId: t.taskId,
          kind: 'LOST',
          state: 'ERROR',
          reason:
            `task not reported by the agent on host ${t.host} within ${graceMs} ms after the core restarted: ` +
            'task lost',
        });
    }, graceMs);
    this.returnTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    for (const f of [...this.attachListeners]) f();
    clearTimeout(this.returnTimer);
    this.watchdog.stop();
    this.unsubscribeEngine();
    for (const a of [...this.agents.values()]) this.detach(a, 'core shutting down');
  }

  async launch(requests: readonly LaunchRequest[]): Promise<LaunchResult[]> {
    const envId = requests[0]?.environmentId ?? '';
    const place = (): Map<string, Placement> =>
      placeLaunches(requests, this.offers(), this.ledger, 'no host is connected');
    const placement =
      this.cluster !== undefined
        ? place()
        : await placeWaitingForHosts({
            requests,
            place,
            connected: () => new Set(this.offers().map((o) => o.host)),
            expected: this.expected,
            nextAttach: (ms) => this.nextAttach(ms),
            timeoutMs: Math.max(0, ...requests.map((r) => r.timeoutMs)),
            stopped: () => this.stopped,
          });
    const provisionError = await this.provision(envId, requests, placement);
    const out = new Map<string, LaunchResult>();
    const byLink = new Map<AgentLink, PlacedLaunch[]>();
    for (const r of requests) {
      const p = placement.get(r.taskId);
      const link = p?.ok === true ? this.linkFor(p.host, envId) : undefined;
      if (p === undefined || !p.ok)
        out.set(r.taskId, {
          taskId: r.taskId,
          ok: false,
          undeployable: true,
          error: p?.reason ?? 'not placed',
        });
      else if (provisionError !== undefined)
        out.set(r.taskId, { taskId: r.taskId, ok: false, host: p.host, error: provisionError });
      else if (link === undefined)
        out.set(r.taskId, { taskId: r.taskId, ok: false, host: p.host, error: `no agent on ${p.host}` });
      else byLink.set(link, [...(byLink.get(link) ?? []), { request: r, placement: p }]);
    }
    await Promise.all([...byLink].map(([link, launches]) => this.launchOn(link, launches, out)));
    return requests.map((r) => out.get(r.taskId) ?? { taskId: r.taskId, ok: false, error: 'not launched' });
  }

  private async launchOn(
    link: AgentLink,
    launches: readonly PlacedLaunch[],
    out: Map<string, LaunchResult>,
  ): Promise<void> {
    for (const { request } of launches) {
      link.tasks.add(request.taskId);
      this.taskHost.set(request.taskId, linkKey(link));
    }
    const results = await sendLaunches(link, launches, MARGIN_MS);
    launches.forEach(({ request: r }, i) => {
      const res = results[i] ?? new Error('no result');
      if (res instanceof Error || !res.ok) {
        link.tasks.delete(r.taskId);
        this.taskHost.delete(r.taskId);
        const error = `on ${link.host}: ${res instanceof Error ? res.message : res.error}`;
        out.set(r.taskId, { taskId: r.taskId, ok: false, host: link.host, error });
      } else
        out.set(r.taskId, {
          taskId: r.taskId,
          ok: true,
          host: link.host,
          pid: res.pid,
          endpoints: res.endpoints,
        });
    });
  }

  private nextAttach(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.attachListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.attachListeners.add(done);
    });
  }

  /** Frees what an environment held: CPU, memory and ports in the ledger, and its cluster allocation. */
  async releaseEnvironment(environmentId: string): Promise<void> {
    this.ledger.release(environmentId);
    await this.cluster?.release(environmentId);
  }

  /** The machines with the engine's figures, Axle's reservations and what is free (`axle cluster hosts`). */
  clusterView(): ClusterView {
    return clusterView({
      cluster: this.cluster,
      offers: this.offers(),
      links: [...this.agents.values()],
      usage: (host) => this.ledger.usage(host),
    });
  }

  private offers(): readonly HostOffer[] {
    if (this.cluster !== undefined) return this.cluster.offers();
    const byHost = new Map<string, HostOffer>();
    for (const a of this.agents.values())
      byHost.set(a.host, {
        host: a.host,
        cpu: a.hello.cpu,
        memoryMb: a.hello.memoryMb,
        ports: [],
        attributes: a.hello.attributes,
      });
    return [...byHost.values()];
  }

  /** The agent that runs `envId`'s tasks on `host`: its own (cluster engines) or the host's shared one. */
  private linkFor(host: string, envId: string): AgentLink | undefined {
    return this.agents.get(`${host}#${envId}`) ?? this.agents.get(host);
  }

  /**
   * With a cluster engine: (re)allocates what the placed tasks need and waits until the environment's agents are
   * connected. Resolves with the reason when that fails, else undefined.
   */
  private async provision(
    envId: string,
    requests: readonly LaunchRequest[],
    placement: ReadonlyMap<string, Placement>,
  ): Promise<string | undefined> {
    const demand = demandOf(requests, placement);
    if (this.cluster === undefined || demand.length === 0) return undefined;
    try {
      await this.cluster.release(envId);
      const keys = demand.map((d) => `${d.host}#${envId}`);
      const wait = this.waiter.waitFor(keys, AGENT_CONNECT_MS, (k) => this.agents.has(k));
      await this.cluster.provision(envId, demand);
      return await wait;
    } catch (e: unknown) {
      this.waiter.cancel(envId);
      return `${this.cluster.kind} could not provide the hosts: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** A host the engine reports lost: every agent there (or only the environment's) goes, its tasks LOST. */
  private hostLost(loss: HostLoss): void {
    this.waiter.fail(loss);
    for (const link of [...this.agents.values()]) {
      if (link.host !== loss.host) continue;
      const scope = link.hello.scope;
      if (loss.environmentId === undefined || scope === '' || scope === loss.environmentId)
        this.detach(link, loss.reason);
    }
  }

  async transition(
    taskId: string,
    event: string,
    srcState: string,
    args: Readonly<Record<string, string>>,
    timeoutMs: number,
  ): Promise<TransitionResult> {
    const value = create(TransitionSchema, {
      taskId,
      event,
      srcState,
      arguments: { ...args },
      timeoutMs: BigInt(timeoutMs),
    });
    const r = await this.command(taskId, { case: 'transition', value }, timeoutMs);
    if (r instanceof Error) return { ok: false, state: 'ERROR', error: r.message };
    return transitionResult(r, srcState);
  }

  /** Transitions grouped per agent: one TransitionBatch each, results back in the order of `items`. */
  async transitionMany(items: readonly TransitionItem[]): Promise<TransitionResult[]> {
    const out: TransitionResult[] = new Array<TransitionResult>(items.length);
    const byHost = new Map<AgentLink, number[]>();
    items.forEach((it, i) => {
      const key = this.taskHost.get(it.taskId);
      const link = key === undefined ? undefined : this.agents.get(key);
      if (link === undefined)
        out[i] = {
          ok: false,
          state: 'ERROR',
          error:
            key === undefined
              ? `task ${it.taskId} is not deployed`
              : `agent on ${hostOf(key)} is not connected`,
        };
      else {
        const idx = byHost.get(link);
        if (idx === undefined) byHost.set(link, [i]);
        else idx.push(i);
      }
    });
    await Promise.all(
      [...byHost].map(async ([link, idx]) => {
        const shared = sharedArgs(link, idx, items);
        const wire = idx.map((i) => {
          const it = items[i] as TransitionItem;
          return create(TransitionSchema, {
            taskId: it.taskId,
            event: it.event,
            srcState: it.srcState,
            ...(shared === undefined ? { arguments: it.args } : {}),
            timeoutMs: BigInt(it.timeoutMs),
          });
        });
        const timeout = Math.max(...idx.map((i) => items[i]?.timeoutMs ?? 0)) + MARGIN_MS;
        const results = await link.sendBatch(
          { case: 'transitionBatch', items: wire, ...(shared === undefined ? {} : { shared }) },
          timeout,
        );
        results.forEach((r, k) => {
          const i = idx[k] as number;
          const src = items[i]?.srcState ?? '';
          out[i] =
            r instanceof Error ? { ok: false, state: 'ERROR', error: r.message } : transitionResult(r, src);
        });
      }),
    );
    return out;
  }

  async triggerHook(taskId: string, timeoutMs: number): Promise<HookResult> {
    const r = await this.command(
      taskId,
      { case: 'triggerHook', value: create(TriggerHookSchema, { taskId, timeoutMs: BigInt(timeoutMs) }) },
      timeoutMs,
    );
    if (r instanceof Error) return { ok: false, error: r.message };
    return {
      ok: r.ok,
      exitCode: r.exitCode,
      output: r.output,
      ...(r.ok ? {} : { error: r.error || `exit code ${r.exitCode}` }),
    };
  }

  /** Kills tasks: one KillBatch per agent that takes them, one Kill command per task for the others. */
  async kill(taskIds: readonly string[]): Promise<void> {
    const byLink = new Map<AgentLink, string[]>();
    const single: string[] = [];
    for (const taskId of taskIds) {
      const key = this.taskHost.get(taskId);
      const link = key === undefined ? undefined : this.agents.get(key);
      if (link?.hello.features.includes(KILL_BATCH_FEATURE) === true) {
        const ids = byLink.get(link);
        if (ids === undefined) byLink.set(link, [taskId]);
        else ids.push(taskId);
      } else single.push(taskId);
    }
    const timeoutMs = 15_000 + MARGIN_MS;
    await Promise.all([
      ...[...byLink].map(([link, ids]) =>
        link.sendBatch(
          { case: 'killBatch', items: ids.map((taskId) => create(KillSchema, { taskId })) },
          timeoutMs,
        ),
      ),
      ...single.map((taskId) =>
        this.command(taskId, { case: 'kill', value: create(KillSchema, { taskId }) }, 15_000),
      ),
    ]);
    for (const taskId of taskIds) {
      const key = this.taskHost.get(taskId);
      if (key !== undefined) this.agents.get(key)?.tasks.delete(taskId);
      this.taskHost.delete(taskId);
    }
  }

  subscribe(listener: (u: TaskUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ids of every task deployed on an agent. */
  deployedTasks(): string[] {
    return [...this.taskHost.keys()];
  }

  /** The host of a deployed task, for GetTasks. */
  hostOfTask(taskId: string): string | undefined {
    const key = this.taskHost.get(taskId);
    return key === undefined ? undefined : hostOf(key);
  }

  /** The agent's result for a command (the link says so when it carries one). */
  result(link: AgentLink, r: CommandResult): void {
    link.settle(r.commandId, r);
  }

  private command(
    taskId: string,
    op: Parameters<AgentLink['send']>[0],
    timeoutMs: number,
  ): Promise<CommandResult | Error> {
    const key = this.taskHost.get(taskId);
    const link = key === undefined ? undefined : this.agents.get(key);
    if (link === undefined)
      return Promise.resolve(
        new Error(
          key === undefined ? `task ${taskId} is not deployed` : `agent on ${hostOf(key)} is not connected`,
        ),
      );
    return link.send(op, timeoutMs + MARGIN_MS);
  }

  private emit(u: TaskUpdate): void {
    for (const l of this.listeners) l(u);
  }

  /** A watchdog tick: the core's own stall is credited to every agent, then they are judged after the I/O phase. */
  private tick(stallMs: number, now: number): void {
    if (stallMs > 0) for (const a of this.agents.values()) a.liveness.credit(stallMs, now);
    setImmediate(() => this.judge());
  }

  private judge(): void {
    const now = Date.now();
    for (const a of [...this.agents.values()]) {
      const silent = a.liveness.silence(now);
      if (silent > this.lostAfterMs)
        this.detach(
          a,
          `agent on ${a.host} missed its heartbeats: silent for ${Math.round(silent)} ms (the core's own stalls ` +
            `not counted; last heartbeat #${a.liveness.sequence}), more than ${this.lostAfterMs} ms`,
        );
    }
  }

  /** The same agent came back on a new stream: the old one goes; its tasks the new Hello does not list are lost. */
  private replace(old: AgentLink, link: AgentLink): void {
    this.agents.delete(linkKey(old));
    const reason = `agent on ${link.host} reconnected`;
    old.close(reason);
    const listed = new Set(link.hello.tasks.map((t) => t.taskId));
    const gone = [...old.tasks].filter((id) => !listed.has(id));
    this.log(
      `agent ${link.host} replaced its stream (${describe(link)}, ${gone.length} task(s) not reported)`,
    );
    this.loseTasks(old, gone, `${reason} without it`);
  }

  private loseTasks(link: AgentLink, taskIds: readonly string[], reason: string): void {
    for (const taskId of taskIds)
      this.emit({
        taskId,
        kind: 'LOST',
        state: 'ERROR',
        reason: `${reason}: task lost with host ${link.host}`,
      });
  }

  /** A task the agent still runs (it came back, or the core restarted): commands go to this agent again. */
  private reattach(link: AgentLink, t: TaskReport): void {
    link.tasks.add(t.taskId);
    this.taskHost.set(t.taskId, linkKey(link));
    this.emit({
      taskId: t.taskId,
      kind: 'REATTACHED',
      ...(t.state !== '' ? { state: t.state } : {}),
      host: link.host,
      pid: t.pid,
      endpoints: { ...t.endpoints },
      ...(t.state === 'ERROR'
        ? {
            reason:
              `task was in ERROR when the agent on host ${link.host} reported it again ` +
              '(it failed while its agent was not connected to the core)',
          }
        : {}),
    });
  }
}

/** An agent's answer to a transition (its state, else the source state on success; the task's pid). */
function transitionResult(r: CommandResult, srcState: string): TransitionResult {
  return {
    ok: r.ok,
    state: r.state || (r.ok ? srcState : 'ERROR'),
    pid: r.pid,
    ...(r.ok ? {} : { error: r.error }),
  };
}

/** The same agent process on another stream: the agent id it sends in every Hello is equal (and not empty). */
function sameAgent(a: AgentLink, b: AgentLink): boolean {
  return a.hello.agentId !== '' && a.hello.agentId === b.hello.agentId;
}

/** `agent flp001-1a2b3c4d, pid 1234` for the log and for refusals. */
function describe(link: AgentLink): string {
  const id = link.hello.agentId === '' ? 'agent' : `agent ${link.hello.agentId}`;
  return link.hello.pid > 0 ? `${id}, pid ${link.hello.pid}` : id;
}

/** The host part of a link key (`flp001` or `flp001#<env id>`). */
function hostOf(key: string): string {
  const i = key.indexOf('#');
  return i < 0 ? key : key.slice(0, i);
}
