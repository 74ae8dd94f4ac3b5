/**
 * An in-process TaskController for environment tests: tasks follow the OCC table without processes. Failures, hangs
 * and hook outcomes are set per task path. Real agents are exercised by the server integration tests.
 */
import { occNext } from '../common/task-state.ts';
import type {
  HookResult,
  HostInfo,
  LaunchRequest,
  LaunchResult,
  TaskController,
  TaskUpdate,
  TransitionItem,
  TransitionResult,
} from './task-controller.ts';

export interface TestBehaviour {
  /** path → OCC event that fails for it. */
  readonly failOn?: Readonly<Record<string, string>>;
  /** path → hook result. */
  readonly hooks?: Readonly<Record<string, HookResult>>;
  /** paths that cannot be launched. */
  readonly undeployable?: readonly string[];
}

export class TestController implements TaskController {
  readonly log: string[] = [];
  readonly killed: string[] = [];
  /** The items of every transitionMany call, in order. */
  readonly batches: (readonly TransitionItem[])[] = [];
  private readonly paths = new Map<string, string>();
  private readonly listeners = new Set<(u: TaskUpdate) => void>();
  private port = 9000;

  constructor(public behaviour: TestBehaviour = {}) {}

  launch(requests: readonly LaunchRequest[]): Promise<LaunchResult[]> {
    return Promise.resolve(
      requests.map((r) => {
        this.paths.set(r.taskId, r.path);
        this.log.push(`launch ${r.path}`);
        if (this.behaviour.undeployable?.includes(r.path))
          return { taskId: r.taskId, ok: false, error: 'no host satisfies machine_id' };
        const host = r.constraints.find((c) => c.attribute === 'machine_id')?.value ?? 'localhost';
        const endpoints = Object.fromEntries(
          r.binds.map((b) => [
            b.channel,
            b.addressing === 'ipc' ? `ipc://@t-${r.taskId}-${b.channel}` : `tcp://127.0.0.1:${this.port++}`,
          ]),
        );
        return { taskId: r.taskId, ok: true, host, pid: 1000, endpoints };
      }),
    );
  }

  transition(
    taskId: string,
    event: string,
    srcState: string,
    args: Readonly<Record<string, string>>,
  ): Promise<TransitionResult> {
    const path = this.paths.get(taskId) ?? '?';
    this.log.push(`${event} ${path}${args['runNumber'] !== undefined ? ` run=${args['runNumber']}` : ''}`);
    if (this.behaviour.failOn?.[path] === event)
      return Promise.resolve({ ok: false, state: 'ERROR', error: `${event} failed in the task` });
    const to = occNext(srcState, event);
    return Promise.resolve(
      to === undefined
        ? { ok: false, state: srcState, error: `${event} not allowed in ${srcState}` }
        : { ok: true, state: to },
    );
  }

  transitionMany(items: readonly TransitionItem[]): Promise<TransitionResult[]> {
    this.batches.push(items);
    return Promise.all(items.map((i) => this.transition(i.taskId, i.event, i.srcState, i.args)));
  }

  triggerHook(taskId: string): Promise<HookResult> {
    const path = this.paths.get(taskId) ?? '?';
    this.log.push(`hook ${path}`);
    return Promise.resolve(this.behaviour.hooks?.[path] ?? { ok: true, exitCode: 0 });
  }

  kill(taskIds: readonly string[]): Promise<void> {
    for (const id of taskIds) this.killed.push(this.paths.get(id) ?? id);
    return Promise.resolve();
  }

  subscribe(listener: (u: TaskUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends an update as if an agent reported it. */
  emit(path: string, update: Omit<TaskUpdate, 'taskId'>): void {
    const taskId = [...this.paths].find(([, p]) => p === path)?.[0] ?? '';
    for (const l of this.listeners) l({ taskId, ...update });
  }

  hosts(): HostInfo[] {
    return [{ host: 'localhost', cpu: 2, memoryMb: 1024, attributes: {} }];
  }
}
