/**
 * The direct-mode (OCC library) task machine: STANDBY/CONFIGURED/RUNNING/ERROR/DONE driven by upper-case OCC
 * events, with the wire behaviour of a real OCC library process (aliecs.md §15).
 */
import {
  isOccEvent,
  occNext,
  type DeviceEventName,
  type OccEvent,
  type TaskState,
} from '../common/task-state.ts';
import { argTree } from './arg-tree.ts';
import { runHook, type OccHandlers } from './handlers.ts';
import { OccStatusError } from './occ-error.ts';
import {
  EventHub,
  SerialQueue,
  type OccMachine,
  type TransitionInput,
  type TransitionOutput,
} from './occ-machine.ts';

/** A direct-mode machine, plus what the task program itself may do. */
export interface DirectMachine extends OccMachine {
  readonly state: TaskState;
  /** Run number of the last transition (`runNumber` argument; 0 when a transition did not carry one). */
  readonly runNumber: number;
  /** END_OF_STREAM is only sent; TASK_INTERNAL_ERROR also moves the task to ERROR. */
  emit(event: 'END_OF_STREAM' | 'TASK_INTERNAL_ERROR'): void;
  /** Called after every state change (after the hook of the transition ran). */
  onStateChange(listener: (state: TaskState) => void): void;
}

/** Creates a machine in STANDBY that calls `handlers` on transitions. */
export function createDirectMachine(handlers: OccHandlers): DirectMachine {
  let state: TaskState = 'STANDBY';
  let runNumber = 0;
  const hub = new EventHub();
  const stateHub = new EventHub<TaskState>();
  const queue = new SerialQueue();
  const listeners: ((s: TaskState) => void)[] = [];

  const setState = (next: TaskState): void => {
    if (next === state) return;
    state = next;
    stateHub.emit(next);
    if (next === 'DONE') {
      hub.close();
      stateHub.close();
    }
    for (const l of listeners) l(next);
  };

  const step = async (req: TransitionInput): Promise<TransitionOutput> => {
    const { srcState, event } = req;
    if (srcState !== state) {
      throw new OccStatusError(
        'INVALID_ARGUMENT',
        `transition not possible: state mismatch: source: ${srcState} current: ${state}`,
      );
    }
    if (state === 'DONE') throw new OccStatusError('FAILED_PRECONDITION', 'task is DONE');
    if (!isOccEvent(event)) throw new OccStatusError('UNKNOWN', 'Unexpected error in RPC handling');
    const next = occNext(state, event);
    if (next === undefined) return { trigger: 'DEVICE_INTENTIONAL', state, event, ok: false };
    runNumber = Number.parseInt(req.arguments.runNumber ?? '0', 10) || 0;
    const failure = await invoke(handlers, event, req.arguments);
    if (failure !== undefined) {
      setState('ERROR');
      return { trigger: 'DEVICE_ERROR', state, event, ok: false };
    }
    setState(next);
    return { trigger: 'EXECUTOR', state, event, ok: true };
  };

  return {
    get state() {
      return state;
    },
    get runNumber() {
      return runNumber;
    },
    transition: (req) => queue.run(() => step(req)),
    events: (signal): AsyncIterable<DeviceEventName> => hub.stream(signal),
    states: (signal): AsyncIterable<TaskState> => stateHub.stream(signal),
    emit(event) {
      if (state === 'DONE') return;
      hub.emit(event);
      if (event === 'TASK_INTERNAL_ERROR') setState('ERROR');
    },
    onStateChange(listener) {
      listeners.push(listener);
    },
  };
}

/** Runs the hook of an allowed event; resolves to the failure reason, if any. */
function invoke(
  handlers: OccHandlers,
  event: OccEvent,
  args: Readonly<Record<string, string>>,
): Promise<string | undefined> {
  switch (event) {
    case 'CONFIGURE':
      return runHook(handlers.configure, args, argTree(args));
    case 'START':
      return runHook(handlers.start, args);
    case 'STOP':
      return runHook(handlers.stop, args);
    case 'RESET':
      return runHook(handlers.reset);
    case 'EXIT':
      return runHook(handlers.exit);
    case 'RECOVER':
      return runHook(handlers.recover);
    case 'GO_ERROR':
      return Promise.resolve(undefined);
  }
}
