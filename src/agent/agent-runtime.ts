/**
 * The agent's command executor, independent of any transport: executes Launch/Transition/TriggerHook/Kill commands
 * (concurrently across tasks, in order per task; Kill does not wait behind a pending command), answers each with a
 * CommandResult and reports unasked changes as TaskUpdates. The core link (core-link.ts) wires it to the stream.
 */
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { createDriver } from './drivers/create-driver.ts';
import { defaultOccConnector } from './drivers/default-occ-connector.ts';
import type { OccConnector } from './drivers/occ-connector.ts';
import { errorMessage } from './drivers/task-driver.ts';
import type { TaskDriver } from './drivers/task-driver.ts';
import { allocateEndpoints, claimAssigned } from './endpoints.ts';
import { appendPrivate, mkdirPrivate } from './private-files.ts';
import { PortAllocator } from './port-allocator.ts';
import { taskLogPath } from './task-process.ts';
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

/** Launch attempts (the first included) when a task's port turns out to be taken. */
export const LAUNCH_PORT_ATTEMPTS = 3;

/**
 * True for a launch failure caused by a taken port: the task's output says EADDRINUSE / address in use, or an
 * assigned port failed the agent's pre-bind check.
 */
export function isPortClash(error: unknown): boolean {
  return /EADDRINUSE|address (already )?in use|assigned to .* is busy on/i.test(errorMessage(error));
}

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
  /** Updates held back while launching: sent after a successful launch, dropped with a failed attempt. */
  held: TaskUpdate[] | undefined;
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
    const entry: TaskEntry = { launch: op, driver: undefined, endpoints: {}, killing: false, held: [] };
    this.tasks.set(op.taskId, entry);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.tryLaunch(entry, attempt > 1);
      if (outcome === undefined) {
        const driver = entry.driver as TaskDriver;
        const held = entry.held ?? [];
        entry.held = undefined;
        setImmediate(() => held.forEach((update) => this.emit(update)));
        return result(commandId, {
          ok: true,
          state: driver.state,
          pid: driver.pid,
          endpoints: entry.endpoints,
        });
      }
      entry.held = [];
      if (entry.killing || attempt >= LAUNCH_PORT_ATTEMPTS || !isPortClash(outcome.error)) {
        if (!entry.killing) this.tasks.delete(op.taskId);
        return result(commandId, { error: errorMessage(outcome.error), state: 'ERROR' });
      }
      this.notePortRetry(entry, outcome.ports, attempt, outcome.error);
    }
  }

  /**
   * One launch attempt (with `reassign`, every port comes from this agent's ranges, none assigned by the core);
   * undefined when the task reached STANDBY, else the failure and the ports it held (released again).
   */
  private async tryLaunch(
    entry: TaskEntry,
    reassign: boolean,
  ): Promise<{ error: unknown; ports: readonly number[] } | undefined> {
    const taskId = entry.launch.taskId;
    let driver: TaskDriver | undefined;
    try {
      driver = await this.prepare(entry, reassign);
      entry.driver = driver;
      if (entry.killing) throw new Error('killed while launching');
      await driver.start();
      if (entry.killing) throw new Error('killed while launching');
      return undefined;
    } catch (error: unknown) {
      await driver?.kill().catch(() => undefined);
      if (!entry.killing) entry.driver = undefined;
      const ports = [...this.ports.heldBy(taskId)];
      this.ports.release(taskId);
      return { error, ports };
    }
  }

  /** Says in the task's log and the agent's that the launch is tried again with other ports. */
  private notePortRetry(entry: TaskEntry, ports: readonly number[], attempt: number, error: unknown): void {
    const op = entry.launch;
    const first = errorMessage(error).split('\n')[0] ?? '';
    const line =
      `a port of the task was taken (${ports.join(', ') || 'none held'}: ${first}); ` +
      `launching again with other ports (attempt ${attempt + 1} of ${LAUNCH_PORT_ATTEMPTS})`;
    this.options.log?.(`[${op.taskId}] ${line}`);
    const logPath = taskLogPath(join(this.options.stateDir, 'logs'), op.environmentId, op.taskId);
    try {
      mkdirPrivate(dirname(logPath));
      appendPrivate(logPath, `[axle ${new Date().toISOString()}] ${line}\n`);
    } catch {
      // the task's log is best effort; the agent's log has the line
    }
  }

  private async prepare(entry: TaskEntry, reassign = false): Promise<TaskDriver> {
    const op = entry.launch;
    const simulated = op.simulated || this.options.simulatedOnly === true;
    const mode = controlModeOf(op.controlMode);
    const controllable = !simulated && (mode === 'direct' || mode === 'fairmq');
    const host = this.options.host ?? hostname();
    const controlPort = controllable ? await this.controlPort(op, host, reassign) : undefined;
    const binds = reassign ? op.binds.map(({ port: _, ...b }) => b) : op.binds;
    entry.endpoints = await allocateEndpoints(binds, this.ports, {
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
  private controlPort(op: LaunchOp, host: string, reassign: boolean): Promise<number> {
    if (op.controlPort === undefined || reassign) return this.ports.allocate('control', op.taskId);
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
    if (entry.held !== undefined) {
      entry.held.push(update);
      return;
    }
    if (update.event === 'EXITED' || update.event === 'BASIC_TASK_TERMINATED')
      this.ports.release(update.taskId);
    for (const listener of this.listeners) listener(update);
  }
}
