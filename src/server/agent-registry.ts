/**
 * The core's side of the agent protocol and its TaskController: connected agents by host, placement of launches
 * (scheduler/simple-placement), commands with results, and task reports turned into TaskUpdates. An agent that
 * disconnects or misses heartbeats for `lostAfterMs` makes its tasks LOST, naming the host.
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
import {
  BindRequestSchema,
  CommandSpecSchema,
  KillSchema,
  LaunchSchema,
  TransitionSchema,
  TriggerHookSchema,
} from '../gen/axle/agent/v1/agent_pb.ts';
import type { CommandResult, TaskUpdate as WireUpdate } from '../gen/axle/agent/v1/agent_pb.ts';
import { placeAll } from '../scheduler/placement.ts';
import { formatReasons } from '../scheduler/placement-explain.ts';
import { Ledger } from '../scheduler/placement-ledger.ts';
import type { AgentLink } from './agent-link.ts';

const MARGIN_MS = 5_000;

type Placement =
  { readonly ok: true; readonly host: string } | { readonly ok: false; readonly reason: string };
const UPDATE_KINDS: readonly TaskUpdateKind[] = [
  'END_OF_STREAM',
  'TASK_INTERNAL_ERROR',
  'BASIC_TASK_TERMINATED',
  'EXITED',
  'LOST',
];

export class AgentRegistry implements TaskController {
  private readonly agents = new Map<string, AgentLink>();
  private readonly taskHost = new Map<string, string>();
  private readonly listeners = new Set<(u: TaskUpdate) => void>();
  private readonly ledger = new Ledger();
  private readonly watchdog: NodeJS.Timeout;

  constructor(readonly lostAfterMs = 3_000) {
    this.watchdog = setInterval(() => this.checkHeartbeats(), Math.min(500, lostAfterMs / 2));
    this.watchdog.unref();
  }

  /** A new agent stream; an older link of the same host is replaced. */
  attach(link: AgentLink): void {
    const old = this.agents.get(link.host);
    if (old !== undefined && old !== link) this.detach(old, `agent on ${link.host} reconnected`);
    this.agents.set(link.host, link);
  }

  detach(link: AgentLink, reason: string): void {
    if (this.agents.get(link.host) !== link) return;
    this.agents.delete(link.host);
    link.close(reason);
    for (const taskId of link.tasks)
      this.emit({
        taskId,
        kind: 'LOST',
        state: 'ERROR',
        reason: `${reason}: task lost with host ${link.host}`,
      });
  }

  /** A task the agent still runs (after a core or stream restart): route its commands to this agent again. */
  adopt(link: AgentLink, taskId: string): void {
    link.tasks.add(taskId);
    this.taskHost.set(taskId, link.host);
  }

  heartbeat(link: AgentLink): void {
    link.lastSeen = Date.now();
  }

  /** An update reported by an agent. */
  report(u: WireUpdate): void {
    const kind = UPDATE_KINDS.find((k) => k === u.event) ?? 'STATE';
    this.emit({
      taskId: u.taskId,
      kind,
      ...(u.state !== '' ? { state: u.state } : {}),
      ...(kind === 'EXITED' || kind === 'BASIC_TASK_TERMINATED' ? { exitCode: u.exitCode } : {}),
      ...(u.output !== '' ? { output: u.output } : {}),
      ...(u.reason !== '' ? { reason: u.reason } : {}),
    });
  }

  hosts(): HostInfo[] {
    return [...this.agents.values()].map((a) => ({
      host: a.host,
      cpu: a.hello.cpu,
      memoryMb: a.hello.memoryMb,
      attributes: a.hello.attributes,
    }));
  }

  stop(): void {
    clearInterval(this.watchdog);
    for (const a of [...this.agents.values()]) this.detach(a, 'core shutting down');
  }

  async launch(requests: readonly LaunchRequest[]): Promise<LaunchResult[]> {
    const placement = this.place(requests);
    return Promise.all(
      requests.map(async (r): Promise<LaunchResult> => {
        const p = placement.get(r.taskId);
        const link = p?.ok === true ? this.agents.get(p.host) : undefined;
        if (p === undefined || !p.ok || link === undefined)
          return { taskId: r.taskId, ok: false, error: p?.ok === false ? p.reason : 'no agent' };
        link.tasks.add(r.taskId);
        this.taskHost.set(r.taskId, link.host);
        const res = await link.send(
          { case: 'launch', value: launchMessage(r, link.host) },
          r.timeoutMs + MARGIN_MS,
        );
        if (res instanceof Error || !res.ok) {
          link.tasks.delete(r.taskId);
          return {
            taskId: r.taskId,
            ok: false,
            host: link.host,
            error: `on ${link.host}: ${res instanceof Error ? res.message : res.error}`,
          };
        }
        return { taskId: r.taskId, ok: true, host: link.host, pid: res.pid, endpoints: res.endpoints };
      }),
    );
  }

  /** Frees the CPU and memory an environment's tasks held on their hosts. */
  releaseEnvironment(environmentId: string): void {
    this.ledger.release(environmentId);
  }

  /**
   * Places one environment's launches on the connected hosts with the scheduler: constraints, and CPU and memory
   * against each host's offer minus what other environments hold (ports stay with the agents' own allocators).
   * A relaunch of the same environment (RECOVER) replaces its reservations.
   */
  private place(requests: readonly LaunchRequest[]): Map<string, Placement> {
    const envId = requests[0]?.environmentId ?? '';
    this.ledger.release(envId);
    const offers = [...this.agents.values()].map((a) => ({
      host: a.host,
      cpu: a.hello.cpu,
      memoryMb: a.hello.memoryMb,
      ports: [],
      attributes: a.hello.attributes,
    }));
    const reqs = requests.map((r) => ({
      taskId: r.taskId,
      path: r.path,
      cpu: r.wants.cpu ?? 0,
      memoryMb: r.wants.memory ?? 0,
      staticPorts: [],
      dynamicPorts: 0,
      constraints: r.constraints,
      ...(r.sameHostAs !== undefined ? { sameHostAs: r.sameHostAs } : {}),
    }));
    const result = placeAll(reqs, offers, this.ledger, { envId });
    this.ledger.reserve(envId, result.placements);
    const out = new Map<string, Placement>(
      result.placements.map((p) => [p.taskId, { ok: true, host: p.host }]),
    );
    if (!result.ok) {
      for (const u of result.undeployable) {
        const detail = offers.length === 0 ? 'no host is connected' : formatReasons(u.reasons);
        out.set(u.taskId, { ok: false, reason: `no host can run ${u.path}: ${detail}` });
      }
    }
    return out;
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
    return { ok: r.ok, state: r.state || (r.ok ? srcState : 'ERROR'), ...(r.ok ? {} : { error: r.error }) };
  }

  /** Transitions grouped per agent: one TransitionBatch each, results back in the order of `items`. */
  async transitionMany(items: readonly TransitionItem[]): Promise<TransitionResult[]> {
    const out: TransitionResult[] = new Array<TransitionResult>(items.length);
    const byHost = new Map<AgentLink, number[]>();
    items.forEach((it, i) => {
      const host = this.taskHost.get(it.taskId);
      const link = host === undefined ? undefined : this.agents.get(host);
      if (link === undefined)
        out[i] = {
          ok: false,
          state: 'ERROR',
          error:
            host === undefined ? `task ${it.taskId} is not deployed` : `agent on ${host} is not connected`,
        };
      else byHost.set(link, [...(byHost.get(link) ?? []), i]);
    });
    await Promise.all(
      [...byHost].map(async ([link, idx]) => {
        const wire = idx.map((i) => {
          const it = items[i] as TransitionItem;
          return create(TransitionSchema, {
            taskId: it.taskId,
            event: it.event,
            srcState: it.srcState,
            arguments: { ...it.args },
            timeoutMs: BigInt(it.timeoutMs),
          });
        });
        const timeout = Math.max(...idx.map((i) => items[i]?.timeoutMs ?? 0)) + MARGIN_MS;
        const results = await link.sendBatch(wire, timeout);
        results.forEach((r, k) => {
          const i = idx[k] as number;
          const src = items[i]?.srcState ?? '';
          out[i] =
            r instanceof Error
              ? { ok: false, state: 'ERROR', error: r.message }
              : { ok: r.ok, state: r.state || (r.ok ? src : 'ERROR'), ...(r.ok ? {} : { error: r.error }) };
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

  async kill(taskIds: readonly string[]): Promise<void> {
    await Promise.all(
      taskIds.map(async (taskId) => {
        await this.command(taskId, { case: 'kill', value: create(KillSchema, { taskId }) }, 15_000);
        const host = this.taskHost.get(taskId);
        if (host !== undefined) this.agents.get(host)?.tasks.delete(taskId);
        this.taskHost.delete(taskId);
      }),
    );
  }

  subscribe(listener: (u: TaskUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tasks by host, for GetTasks. */
  taskHosts(): ReadonlyMap<string, string> {
    return this.taskHost;
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
    const host = this.taskHost.get(taskId);
    const link = host === undefined ? undefined : this.agents.get(host);
    if (link === undefined)
      return Promise.resolve(
        new Error(
          host === undefined ? `task ${taskId} is not deployed` : `agent on ${host} is not connected`,
        ),
      );
    return link.send(op, timeoutMs + MARGIN_MS);
  }

  private emit(u: TaskUpdate): void {
    for (const l of this.listeners) l(u);
  }

  private checkHeartbeats(): void {
    const now = Date.now();
    for (const a of [...this.agents.values()]) {
      if (now - a.lastSeen > this.lostAfterMs)
        this.detach(a, `agent on ${a.host} missed its heartbeats for ${this.lostAfterMs} ms`);
    }
  }
}

/** AliECS sets O2_ROLE=<host> and O2_SYSTEM=FLP unless the task's environment already does. */
function withO2Defaults(env: readonly string[], host: string): string[] {
  const has = (k: string): boolean => env.some((e) => e.startsWith(`${k}=`));
  return [
    ...env,
    ...(has('O2_ROLE') ? [] : [`O2_ROLE=${host}`]),
    ...(has('O2_SYSTEM') ? [] : ['O2_SYSTEM=FLP']),
  ];
}

function launchMessage(r: LaunchRequest, host: string): ReturnType<typeof create<typeof LaunchSchema>> {
  const c = r.command;
  return create(LaunchSchema, {
    taskId: r.taskId,
    environmentId: r.environmentId,
    name: r.name,
    path: r.path,
    controlMode: r.control,
    command: create(CommandSpecSchema, {
      value: c.value,
      arguments: [...c.arguments],
      env: withO2Defaults(c.env, host),
      user: c.user,
      shell: c.shell,
      stdout: c.stdout,
      stderr: c.stderr,
    }),
    binds: r.binds.map((b) =>
      create(BindRequestSchema, { channel: b.channel, addressing: b.addressing, target: b.target ?? '' }),
    ),
    simulated: false,
    timeoutMs: BigInt(r.timeoutMs),
  });
}
