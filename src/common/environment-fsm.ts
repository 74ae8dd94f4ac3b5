/**
 * The environment state machine as data (AliECS §5.1, with RECOVER made to work: ERROR → DEPLOYED, and EXIT reachable).
 * `nextState` is pure; the environment layer runs the moments and task transitions around it.
 */
export const ENV_STATES = ['STANDBY', 'DEPLOYED', 'CONFIGURED', 'RUNNING', 'ERROR', 'DONE'] as const;
export type EnvState = (typeof ENV_STATES)[number];

export const ENV_EVENTS = [
  'DEPLOY',
  'CONFIGURE',
  'RESET',
  'START_ACTIVITY',
  'STOP_ACTIVITY',
  'GO_ERROR',
  'EXIT',
  'RECOVER',
] as const;
export type EnvEvent = (typeof ENV_EVENTS)[number];

/** event → (from states → to state). */
export const ENV_TRANSITIONS: Readonly<
  Record<EnvEvent, { readonly from: readonly EnvState[]; readonly to: EnvState }>
> = {
  DEPLOY: { from: ['STANDBY'], to: 'DEPLOYED' },
  CONFIGURE: { from: ['DEPLOYED'], to: 'CONFIGURED' },
  START_ACTIVITY: { from: ['CONFIGURED'], to: 'RUNNING' },
  STOP_ACTIVITY: { from: ['RUNNING'], to: 'CONFIGURED' },
  RESET: { from: ['CONFIGURED'], to: 'DEPLOYED' },
  EXIT: { from: ['CONFIGURED', 'DEPLOYED', 'STANDBY'], to: 'DONE' },
  GO_ERROR: { from: ['STANDBY', 'CONFIGURED', 'DEPLOYED', 'RUNNING'], to: 'ERROR' },
  RECOVER: { from: ['ERROR'], to: 'DEPLOYED' },
};

export type NextState =
  { readonly ok: true; readonly to: EnvState } | { readonly ok: false; readonly reason: string };

export function nextState(state: EnvState, event: EnvEvent): NextState {
  const t = ENV_TRANSITIONS[event];
  if (t.from.includes(state)) return { ok: true, to: t.to };
  return {
    ok: false,
    reason: `transition ${event} is impossible from state ${state} (allowed from ${t.from.join(', ')})`,
  };
}

export function isEnvEvent(s: string): s is EnvEvent {
  return (ENV_EVENTS as readonly string[]).includes(s);
}

/** Events a user may request (ControlEnvironment, `axle env control -e`): all but GO_ERROR, which only the core drives. */
export const REQUESTABLE_EVENTS: readonly EnvEvent[] = ENV_EVENTS.filter((e) => e !== 'GO_ERROR');

export function isRequestableEvent(s: string): s is EnvEvent {
  return (REQUESTABLE_EVENTS as readonly string[]).includes(s);
}

/** The task (OCC) event an environment event sends to its tasks, if any. */
export const TASK_EVENT_OF: Readonly<
  Partial<Record<EnvEvent, 'CONFIGURE' | 'START' | 'STOP' | 'RESET' | 'EXIT'>>
> = {
  CONFIGURE: 'CONFIGURE',
  START_ACTIVITY: 'START',
  STOP_ACTIVITY: 'STOP',
  RESET: 'RESET',
  EXIT: 'EXIT',
};
