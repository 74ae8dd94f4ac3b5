/**
 * The task SDK: turns a set of hooks into a controllable task program, serving OCC on 127.0.0.1:<control port>.
 * @example
 *   const task = await runOccTask({ configure: (args) => open(args), start: () => produce(), stop: () => pause() });
 *   // later, from the task's own loop:
 *   task.emit('END_OF_STREAM');
 */
import { createDirectMachine } from './direct-machine.ts';
import { createFairMqMachine } from './fairmq-machine.ts';
import type { FairMqHandlers, OccHandlers } from './handlers.ts';
import { serveOccLite } from './lite-server.ts';
import type { OccMachine, OccServer } from './occ-machine.ts';
import { serveOccProtobuf } from './proto-server.ts';
import { controlPort, fairMqTransport } from './task-args.ts';

export type { FairMqHandlers, OccHandlers } from './handlers.ts';
export type { ArgTree } from './arg-tree.ts';

export interface TaskRunOptions {
  /** Control port; default `--control-port` in argv, else env OCC_CONTROL_PORT, else 47100. 0: any free port. */
  readonly port?: number;
  /** Default `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
  /** When true (the default) the process exits with 0 shortly after DONE (direct) or EXITING (FairMQ). */
  readonly exitProcess?: boolean;
  /** Default: protobuf for runOccTask; for runFairMqDevice JSON (OCClite) unless argv has `-P <other plugin>`. */
  readonly transport?: 'protobuf' | 'json';
}

/** A running task. `state` is an OCC state (direct) or a FairMQ state (device). */
export interface OccTaskHandle {
  readonly state: string;
  readonly port: number;
  /** Run number pushed by the last START (direct mode; 0 before). */
  readonly runNumber: number;
  /** END_OF_STREAM is sent on open EventStreams; TASK_INTERNAL_ERROR also moves the task to ERROR. */
  emit(event: 'END_OF_STREAM' | 'TASK_INTERNAL_ERROR'): void;
  /** Resolves once the task reached DONE / EXITING. */
  readonly finished: Promise<void>;
  /** Stops serving (does not exit the process). */
  close(): Promise<void>;
}

const EXIT_DELAY_MS = 20;

/** Runs a direct-mode (OCC library) task: STANDBY → … → DONE, protobuf transport by default. */
export async function runOccTask(handlers: OccHandlers, opts: TaskRunOptions = {}): Promise<OccTaskHandle> {
  const machine = createDirectMachine(handlers);
  let finish = (): void => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  machine.onStateChange((s) => s === 'DONE' && finish());
  const server = await serve(machine, opts.transport ?? 'protobuf', opts);
  return handle(machine, server, finished, opts, () => machine.runNumber);
}

/** Runs a FairMQ device served over OCClite (see FairMqHandlers for the hooks each FairMQ step calls). */
export async function runFairMqDevice(
  handlers: FairMqHandlers,
  opts: TaskRunOptions = {},
): Promise<OccTaskHandle> {
  const machine = createFairMqMachine(handlers);
  let finish = (): void => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  machine.onStateChange((s) => s === 'EXITING' && finish());
  const transport = opts.transport ?? fairMqTransport(opts.argv ?? process.argv.slice(2));
  const server = await serve(machine, transport, opts);
  const runNumber = (): number => Number(machine.properties.get('runNumber') ?? 0) || 0;
  return handle(machine, server, finished, opts, runNumber);
}

function serve(
  machine: OccMachine,
  transport: 'protobuf' | 'json',
  opts: TaskRunOptions,
): Promise<OccServer> {
  const port = opts.port ?? controlPort(opts.argv ?? process.argv.slice(2), process.env);
  return transport === 'json' ? serveOccLite(machine, { port }) : serveOccProtobuf(machine, { port });
}

function handle(
  machine: OccMachine & { emit(e: 'END_OF_STREAM' | 'TASK_INTERNAL_ERROR'): void },
  server: OccServer,
  finished: Promise<void>,
  opts: TaskRunOptions,
  runNumber: () => number,
): OccTaskHandle {
  if (opts.exitProcess ?? true) {
    void finished.then(() => {
      // Let the final Transition reply and the stream trailers leave before the process goes.
      setTimeout(() => {
        void server.close().finally(() => process.exit(0));
        setTimeout(() => process.exit(0), 200).unref();
      }, EXIT_DELAY_MS);
    });
  }
  return {
    get state() {
      return machine.state;
    },
    port: server.port,
    get runNumber() {
      return runNumber();
    },
    emit: (event) => machine.emit(event),
    finished,
    close: () => server.close(),
  };
}
