/**
 * A FairMQ device as the OCC plugin exposes it: FairMQ states and events on the wire, CONFIGURE arguments applied
 * as properties while INITIALIZING DEVICE, RUN arguments pushed as properties first, intermediate states waited
 * through, and the EventStream closed with a NULL_DEVICE_EVENT at EXITING or ERROR.
 */
import {
  FAIRMQ_EXPECTED_STATE,
  FAIRMQ_INTERMEDIATE,
  fairMqNext,
  isFairMqEvent,
  type DeviceEventName,
  type FairMqEvent,
  type FairMqState,
} from '../common/task-state.ts';
import { fairMqProperties, propertyTree, type PropertyValue } from './arg-tree.ts';
import { runHook, type FairMqHandlers } from './handlers.ts';
import { OccStatusError } from './occ-error.ts';
import {
  EventHub,
  SerialQueue,
  type OccMachine,
  type TransitionInput,
  type TransitionOutput,
} from './occ-machine.ts';

type Args = Readonly<Record<string, string>>;

/** A FairMQ device machine, plus what the device program itself may do. */
export interface FairMqMachine extends OccMachine {
  readonly state: FairMqState;
  /** Device properties (SetProperty semantics); CONFIGURE and RUN/STOP arguments land here. */
  readonly properties: ReadonlyMap<string, PropertyValue>;
  /** END_OF_STREAM is only sent; TASK_INTERNAL_ERROR is an ERROR FOUND (state ERROR, stream closed). */
  emit(event: 'END_OF_STREAM' | 'TASK_INTERNAL_ERROR'): void;
  onStateChange(listener: (state: FairMqState) => void): void;
}

/** Creates a device in IDLE calling `handlers` (see FairMqHandlers for which step runs which hook). */
export function createFairMqMachine(handlers: FairMqHandlers): FairMqMachine {
  let state: FairMqState = 'IDLE';
  let initArgs: Args = {};
  const properties = new Map<string, PropertyValue>();
  const hub = new EventHub();
  const queue = new SerialQueue();
  const listeners: ((s: FairMqState) => void)[] = [];

  const setState = (next: FairMqState): void => {
    if (next === state) return;
    state = next;
    if ((next === 'EXITING' || next === 'ERROR') && !hub.isClosed) {
      hub.emit('NULL_DEVICE_EVENT');
      hub.close();
    }
    for (const l of listeners) l(next);
  };

  const hook = (event: FairMqEvent, args: Args): Promise<string | undefined> => {
    switch (event) {
      case 'COMPLETE INIT':
        return runHook(handlers.configure, initArgs, propertyTree(properties));
      case 'BIND':
        return runHook(handlers.bind);
      case 'CONNECT':
        return runHook(handlers.connect);
      case 'INIT TASK':
        return runHook(handlers.initTask);
      case 'RUN':
        return runHook(handlers.start, args);
      case 'STOP':
        return runHook(handlers.stop, args);
      case 'RESET TASK':
        return runHook(handlers.resetTask);
      case 'RESET DEVICE':
        return runHook(handlers.reset);
      case 'END':
        return runHook(handlers.exit);
      case 'Auto':
      case 'INIT DEVICE':
      case 'ERROR FOUND':
        return Promise.resolve(undefined);
    }
  };

  const step = async (req: TransitionInput): Promise<TransitionOutput> => {
    const { srcState, event, arguments: args } = req;
    if (srcState !== state) {
      throw new OccStatusError(
        'INVALID_ARGUMENT',
        `transition not possible: state mismatch: source: ${srcState} current: ${state}`,
      );
    }
    if (!isFairMqEvent(event)) {
      throw new OccStatusError('INVALID_ARGUMENT', `argument ${event} is not a valid transition name`);
    }
    const entered = fairMqNext(state, event);
    if (entered === undefined) return { trigger: 'DEVICE_INTENTIONAL', state, event, ok: false };
    if (event === 'RUN' || event === 'STOP') for (const [k, v] of Object.entries(args)) properties.set(k, v);
    setState(entered);
    if (entered === 'INITIALIZING DEVICE') {
      initArgs = { ...args };
      for (const [k, v] of fairMqProperties(args)) properties.set(k, v);
    }
    const failure = await hook(event, args);
    if (failure !== undefined) setState('ERROR');
    for (let auto = FAIRMQ_INTERMEDIATE[state]; auto !== undefined; auto = FAIRMQ_INTERMEDIATE[state])
      setState(auto);
    const ok = state === FAIRMQ_EXPECTED_STATE[event];
    const trigger = state === 'ERROR' ? 'DEVICE_ERROR' : ok ? 'EXECUTOR' : 'DEVICE_INTENTIONAL';
    return { trigger, state, event, ok };
  };

  return {
    get state() {
      return state;
    },
    properties,
    transition: (req) => queue.run(() => step(req)),
    events: (signal): AsyncIterable<DeviceEventName> => hub.stream(signal),
    emit(event) {
      if (event === 'END_OF_STREAM') hub.emit(event);
      else if (fairMqNext(state, 'ERROR FOUND') !== undefined) setState('ERROR');
    },
    onStateChange(listener) {
      listeners.push(listener);
    },
  };
}
