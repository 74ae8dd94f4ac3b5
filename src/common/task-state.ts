/**
 * Task states and the OCC protocol's state machines, as data (AliECS `occ/occlib/OccState.h` and the FairMQ
 * transitioner of the executor). Values are the wire names; everything here is pure.
 */

/** Stable states of a controllable task on the OCC wire, plus UNKNOWN/MIXED for roll-ups. */
export const TASK_STATES = ['STANDBY', 'CONFIGURED', 'RUNNING', 'ERROR', 'DONE', 'UNKNOWN', 'MIXED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Events a direct-mode task accepts, upper-case as they travel on the wire. */
export const OCC_EVENTS = ['CONFIGURE', 'START', 'STOP', 'RESET', 'EXIT', 'GO_ERROR', 'RECOVER'] as const;
export type OccEvent = (typeof OCC_EVENTS)[number];

/** Events a task sends on its EventStream (`DeviceEventType`, values are the protobuf numbers). */
export const DEVICE_EVENT_TYPES = {
  NULL_DEVICE_EVENT: 0,
  END_OF_STREAM: 1,
  BASIC_TASK_TERMINATED: 2,
  TASK_INTERNAL_ERROR: 3,
} as const;
export type DeviceEventName = keyof typeof DEVICE_EVENT_TYPES;

/** Who caused the state reached by a Transition (`StateChangeTrigger`, values are the protobuf numbers). */
export const STATE_CHANGE_TRIGGERS = { EXECUTOR: 0, DEVICE_INTENTIONAL: 1, DEVICE_ERROR: 2 } as const;
export type StateChangeTrigger = keyof typeof STATE_CHANGE_TRIGGERS;

/** The state a successful OCC event leads to (OCClib `EXPECTED_FINAL_STATE`). */
export const OCC_EXPECTED_STATE: Readonly<Record<OccEvent, TaskState>> = {
  CONFIGURE: 'CONFIGURED',
  START: 'RUNNING',
  STOP: 'CONFIGURED',
  RESET: 'STANDBY',
  EXIT: 'DONE',
  GO_ERROR: 'ERROR',
  RECOVER: 'STANDBY',
};

/** One edge of a state machine. */
export interface Edge<S extends string, E extends string> {
  readonly from: S;
  readonly event: E;
  readonly to: S;
}

/** The direct-mode (OCClib) machine. GO_ERROR is a known event but has no edge: it is refused in every state. */
export const OCC_TRANSITIONS: readonly Edge<TaskState, OccEvent>[] = [
  { from: 'STANDBY', event: 'CONFIGURE', to: 'CONFIGURED' },
  { from: 'STANDBY', event: 'EXIT', to: 'DONE' },
  { from: 'CONFIGURED', event: 'START', to: 'RUNNING' },
  { from: 'CONFIGURED', event: 'RESET', to: 'STANDBY' },
  { from: 'CONFIGURED', event: 'EXIT', to: 'DONE' },
  { from: 'RUNNING', event: 'STOP', to: 'CONFIGURED' },
  { from: 'ERROR', event: 'RECOVER', to: 'STANDBY' },
  { from: 'ERROR', event: 'EXIT', to: 'DONE' },
];

/** The state `event` leads to from `state` in direct mode, or undefined when the event is not allowed there. */
export function occNext(state: string, event: string): TaskState | undefined {
  return OCC_TRANSITIONS.find((e) => e.from === state && e.event === event)?.to;
}

export function isOccEvent(text: string): text is OccEvent {
  return (OCC_EVENTS as readonly string[]).includes(text);
}

export function isTaskState(text: string): text is TaskState {
  return (TASK_STATES as readonly string[]).includes(text);
}

/** FairMQ device states; the intermediate ones are passed through automatically. */
export const FAIRMQ_STATES = [
  'OK',
  'ERROR',
  'IDLE',
  'INITIALIZING DEVICE',
  'INITIALIZED',
  'BINDING',
  'BOUND',
  'CONNECTING',
  'DEVICE READY',
  'INITIALIZING TASK',
  'READY',
  'RUNNING',
  'RESETTING TASK',
  'RESETTING DEVICE',
  'EXITING',
] as const;
export type FairMqState = (typeof FAIRMQ_STATES)[number];

/** FairMQ device state transitions (events) as named on the wire. */
export const FAIRMQ_EVENTS = [
  'Auto',
  'INIT DEVICE',
  'COMPLETE INIT',
  'BIND',
  'CONNECT',
  'INIT TASK',
  'RUN',
  'STOP',
  'RESET TASK',
  'RESET DEVICE',
  'END',
  'ERROR FOUND',
] as const;
export type FairMqEvent = (typeof FAIRMQ_EVENTS)[number];

export function isFairMqEvent(text: string): text is FairMqEvent {
  return (FAIRMQ_EVENTS as readonly string[]).includes(text);
}

/** States a device leaves on its own (the OCC plugin waits through them). */
export const FAIRMQ_INTERMEDIATE: Readonly<Partial<Record<FairMqState, FairMqState>>> = {
  BINDING: 'BOUND',
  CONNECTING: 'DEVICE READY',
  'INITIALIZING TASK': 'READY',
  'RESETTING TASK': 'DEVICE READY',
  'RESETTING DEVICE': 'IDLE',
};

/** The stable state the OCC plugin expects after each FairMQ event (`occ/plugin/OccFMQCommon.h`). */
export const FAIRMQ_EXPECTED_STATE: Readonly<Partial<Record<FairMqEvent, FairMqState>>> = {
  'INIT DEVICE': 'INITIALIZING DEVICE',
  'COMPLETE INIT': 'INITIALIZED',
  BIND: 'BOUND',
  CONNECT: 'DEVICE READY',
  'INIT TASK': 'READY',
  RUN: 'RUNNING',
  STOP: 'READY',
  'RESET TASK': 'DEVICE READY',
  'RESET DEVICE': 'IDLE',
  END: 'EXITING',
  'ERROR FOUND': 'ERROR',
};

/**
 * The device machine: each edge enters `to`, which may be intermediate (then FAIRMQ_INTERMEDIATE continues).
 * ERROR FOUND is accepted in every state except EXITING. END from ERROR is an Axle extension so that a failed
 * device can still be walked down to EXITING.
 */
export const FAIRMQ_TRANSITIONS: readonly Edge<FairMqState, FairMqEvent>[] = [
  { from: 'IDLE', event: 'INIT DEVICE', to: 'INITIALIZING DEVICE' },
  { from: 'IDLE', event: 'END', to: 'EXITING' },
  { from: 'INITIALIZING DEVICE', event: 'COMPLETE INIT', to: 'INITIALIZED' },
  { from: 'INITIALIZED', event: 'BIND', to: 'BINDING' },
  { from: 'INITIALIZED', event: 'RESET DEVICE', to: 'RESETTING DEVICE' },
  { from: 'BOUND', event: 'CONNECT', to: 'CONNECTING' },
  { from: 'BOUND', event: 'RESET DEVICE', to: 'RESETTING DEVICE' },
  { from: 'DEVICE READY', event: 'INIT TASK', to: 'INITIALIZING TASK' },
  { from: 'DEVICE READY', event: 'RESET DEVICE', to: 'RESETTING DEVICE' },
  { from: 'READY', event: 'RUN', to: 'RUNNING' },
  { from: 'READY', event: 'RESET TASK', to: 'RESETTING TASK' },
  { from: 'RUNNING', event: 'STOP', to: 'READY' },
  { from: 'ERROR', event: 'END', to: 'EXITING' },
];

/** The state a FairMQ event enters from `state` (possibly intermediate), or undefined when not allowed. */
export function fairMqNext(state: string, event: string): FairMqState | undefined {
  if (event === 'ERROR FOUND') return state === 'EXITING' || state === 'ERROR' ? undefined : 'ERROR';
  return FAIRMQ_TRANSITIONS.find((e) => e.from === state && e.event === event)?.to;
}

/** OCC state ↔ FairMQ state (executor `transitioner/fairmq.go`). */
export const OCC_TO_FAIRMQ: Readonly<Partial<Record<TaskState, FairMqState>>> = {
  STANDBY: 'IDLE',
  CONFIGURED: 'READY',
  RUNNING: 'RUNNING',
  ERROR: 'ERROR',
  DONE: 'EXITING',
};

/** The OCC state a FairMQ state stands for, or undefined for states with no OCC meaning (INITIALIZED, BOUND…). */
export function occStateOfFairMq(state: string): TaskState | undefined {
  for (const [occ, fmq] of Object.entries(OCC_TO_FAIRMQ)) if (fmq === state) return occ as TaskState;
  return undefined;
}

/**
 * The FairMQ events an OCC event expands to, in order (EXIT from CONFIGURED resets first). Rollbacks when a
 * device sticks in an intermediate stable state are the driver's business, not part of this table.
 * Returns an empty list for events the FairMQ transitioner does not implement (GO_ERROR, RECOVER).
 */
export function fairMqSequence(event: OccEvent, from: TaskState): readonly FairMqEvent[] {
  switch (event) {
    case 'CONFIGURE':
      return ['INIT DEVICE', 'COMPLETE INIT', 'BIND', 'CONNECT', 'INIT TASK'];
    case 'START':
      return ['RUN'];
    case 'STOP':
      return ['STOP'];
    case 'RESET':
      return ['RESET TASK', 'RESET DEVICE'];
    case 'EXIT':
      return from === 'CONFIGURED' ? ['RESET TASK', 'RESET DEVICE', 'END'] : ['END'];
    case 'GO_ERROR':
    case 'RECOVER':
      return [];
  }
}
