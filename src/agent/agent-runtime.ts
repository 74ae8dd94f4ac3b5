/**
 * The agent's command executor, independent of any transport: executes Launch/Transition/TriggerHook/Kill commands
 * (concurrently across tasks, in order per task; Kill does not wait behind a pending command), answers each with a
 * CommandResult and reports unasked changes as TaskUpdates. The core link (core-link.ts) wires it to the stream.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createDriver } from './drivers/create-driver.ts';
import { defaultOccConnector } from './drivers/default-occ-connector.ts';
import type { OccConnector } from './drivers/occ-connector.ts';
import { errorMessage } from './drivers/task-driver.ts';
import type { TaskDriver } from './drivers/task-driver.ts';
import { allocateEndpoints, claimAssigned } from './endpoints.ts';
import { PortAllocator } from './port-allocator.ts';
import { SerialQueue } from './serial-queue.ts';
import { controlModeOf, result } from './types.ts';
import type {
  AgentCommand,
  CommandResult,
  LaunchOp,
  TaskReport,
  TaskUpdate,
  TransitionOp,
  TriggerHookOp,
} from './types.ts';

/** Transition timeout when the command gives none (AliECS default command timeout). */
export const DEFAULT_TRANSITION_TIMEOUT_MS = 90_000;

export interface AgentRuntimeOptions {
  /** State folder; task logs go to `<stateDir>/logs/<environmentId>/<taskId>.log`. */
  readonly stateDir: string;
  /** Shared between posing agents of one process so that real tasks never get the same port. */
  readonly ports?: PortAllocator;
  /** Run every task as a simulated one (benchmarks with posing hosts). */
  readonly simulatedOnly?: boolean;
  /** Host part of TCP channel addresses (default 127.0.0.1). */
  readonly tcpHost?: string;
  /** The agent's host name, used in error messages (default: this machine's). */
  readonly host?: string;
  /** Environment id this agent serves alone: launches of other environments are refused. Empty/absent: any. */
  readonly scope?: string;
  /** The agent's own log (forwarded task output, diagnostics). */
  readonly log?: (line: string) => void;
  /** Base environment of task processes (default: the agent's). */
  readonly agentEnv?: Readonly<Record<string, string | undefined>>;
  /** OCC client and transition driver for direct/fairmq tasks (default: src/occ). */
  readonly occ?: OccConnector;
}

interface TaskEntry {
  readonly launch: LaunchOp;
  driver: TaskDriver | undefined;
  endpoints: Record<string, string>;
  killing: boolean;
}

export class AgentRuntime {
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<(update: TaskUpdate) => void>();
  private readonly ports: PortAllocator;

  constructor(private readonly options: AgentRuntimeOptions) {
    this.ports = options.ports ?? new PortAllocator();
  }

  /** Executes one command; never rejects (failures come back as `ok: false` with the reason). */
  async handle(command: AgentCommand): Promise<CommandResult> {
    try {
      const op = command.op;
      switch (op.kind) {
        case 'launch':
          return await this.launch(command.id, op);
        case 'transition':
          return await this.queued(command.id, op.taskId, (driver) =>
            this.transition(command.id, op, driver),
          );
        case 'triggerHook':
          return await this.queued(command.id, op.taskId, (driver) => this.trigger(command.id, op, driver));
        case 'kill':
          return await this.kill(command.id, op.taskId);
      }
    } catch (error: unknown) {
      return result(command.id, { error: errorMessage(error) });
    }
  }

  /** Subscribes to task updates; returns the unsubscribe function. */
  onUpdate(listener: (update: TaskUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The tasks this runtime runs (for Hello after a reconnect). */
  report(): TaskReport[] {
    const reports: TaskReport[] = [];
    for (const [taskId, entry] of this.tasks) {
      if (entry.driver === undefined || entry.killing) continue;
      const { environmentId } = entry.launch;
      reports.push({
        taskId,
        environmentId,
        state: entry.driver.state,
        pid: entry.driver.pid,
        endpoints: entry.endpoints,
      });
    }
    return reports;
  }

  /** Number of tasks known (launching, running or being killed). */
  get size(): number {
    return this.tasks.size;
  }

  /** Kills every task (concurrently) and forgets them. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((taskId) => this.kill('', taskId)));
  }

  private async launch(commandId: string, op: LaunchOp): Promise<CommandResult> {
    if (this.tasks.has(op.taskId)) return result(commandId, { error: `task ${op.taskId} already exists` });
    const scope = this.options.scope ?? '';
    if (scope !== '' && op.environmentId !== scope) {
      const error = `this agent serves environment ${scope} only, not ${op.environmentId || '(none)'}`;
      return result(commandId, { error });
    }
    const entry: TaskEntry = { launch: op, driver: undefined, endpoints: {}, killing: false };
    this.tasks.set(op.taskId, entry);
    let driver: TaskDriver | undefined;
    try {
      driver = await this.prepare(entry);
      entry.driver = driver;
      if (entry.killing) throw new Error('killed while launching');
      await driver.start();
      if (entry.killing) throw new Error('killed while launching');
      return result(commandId, {
        ok: true,
        state: driver.state,
        pid: driver.pid,
        endpoints: entry.endpoints,
      });
    } catch (error: unknown) {
      if (!entry.killing) this.tasks.delete(op.taskId);
      await driver?.kill().catch(() => undefined);
      this.ports.release(op.taskId);
      return result(commandId, { error: errorMessage(error), state: 'ERROR' });
    }
  }

  private async prepare(entry: TaskEntry): Promise<TaskDriver> {
    const op = entry.launch;
    const simulated = op.simulated || this.options.simulatedOnly === true;
    const mode = controlModeOf(op.controlMode);
    const controllable = !simulated && (mode === 'direct' || mode === 'fairmq');
    const host = this.options.host ?? hostname();
    const controlPort = controllable ? await this.controlPort(op, host) : undefined;
    entry.endpoints = await allocateEndpoints(op.binds, this.ports, {
      environmentId: op.environmentId,
      taskId: op.taskId,
      tcpHost: this.options.tcpHost ?? '127.0.0.1',
      probe: !simulated,
      host,
    });
    const log = this.options.log;
    return createDriver(
      simulated,
      {
        launch: op,
        mode,
        logDir: join(this.options.stateDir, 'logs'),
        emit: (update: TaskUpdate) => this.emit(update),
        ...(controlPort === undefined ? {} : { controlPort }),
        ...(log === undefined ? {} : { forward: (line: string) => log(`[${op.taskId}] ${line}`) }),
        ...(this.options.agentEnv === undefined ? {} : { agentEnv: this.options.agentEnv }),
      },
      this.options.occ ?? defaultOccConnector,
    );
  }

  /** The port assigned by the core when there is one, else a free one from the control range. */
  private controlPort(op: LaunchOp, host: string): Promise<number> {
    if (op.controlPort === undefined) return this.ports.allocate('control', op.taskId);
    const options = { taskId: op.taskId, probe: true, host };
    return claimAssigned(this.ports, 'control', op.controlPort, 'the control channel', options);
  }

  private queued(
    commandId: string,
    taskId: string,
    job: (driver: TaskDriver) => Promise<CommandResult>,
  ): Promise<CommandResult> {
    return this.queue.run(taskId, () => {
      const entry = this.tasks.get(taskId);
      if (entry === undefined) return Promise.resolve(result(commandId, { error: `unknown task ${taskId}` }));
      if (entry.killing || entry.driver === undefined) {
        return Promise.resolve(result(commandId, { error: `task ${taskId} is being killed or launched` }));
      }
      return job(entry.driver);
    });
  }

  private async transition(commandId: string, op: TransitionOp, driver: TaskDriver): Promise<CommandResult> {
    const outcome = await driver.transition({
      ...op,
      timeoutMs: op.timeoutMs > 0 ? op.timeoutMs : DEFAULT_TRANSITION_TIMEOUT_MS,
    });
    return result(commandId, {
      ok: outcome.ok,
      state: outcome.state,
      pid: driver.pid,
      error: outcome.error ?? '',
    });
  }

  private async trigger(commandId: string, op: TriggerHookOp, driver: TaskDriver): Promise<CommandResult> {
    const outcome = await driver.triggerHook(op);
    return result(commandId, {
      ok: outcome.ok,
      state: driver.state,
      exitCode: outcome.exitCode,
      output: outcome.output,
      error: outcome.error ?? '',
    });
  }

  private async kill(commandId: string, taskId: string): Promise<CommandResult> {
    const entry = this.tasks.get(taskId);
    if (entry === undefined) return result(commandId, { ok: true, state: 'DONE' });
    entry.killing = true;
    try {
      await entry.driver?.kill();
    } finally {
      this.tasks.delete(taskId);
      this.ports.release(taskId);
    }
    return result(commandId, { ok: true, state: 'DONE' });
  }

  private emit(update: TaskUpdate): void {
    const entry = this.tasks.get(update.taskId);
    if (entry === undefined || entry.killing) return;
    if (update.event === 'EXITED' || update.event === 'BASIC_TASK_TERMINATED')
      this.ports.release(update.taskId);
    for (const listener of this.listeners) listener(update);
  }
}
