/**
 * The OCC client contract used by the agent, independent of the transport (protobuf or OCClite JSON).
 */
import {
  DEVICE_EVENT_TYPES,
  STATE_CHANGE_TRIGGERS,
  type DeviceEventName,
  type StateChangeTrigger,
} from '../common/task-state.ts';

/** Per-call options: a deadline and a cancellation signal. */
export interface OccCallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Default deadlines: GetState answers in milliseconds; transitions may run user code. */
export const DEFAULT_GET_STATE_TIMEOUT_MS = 5_000;
export const DEFAULT_TRANSITION_TIMEOUT_MS = 30_000;

export interface OccTransitionRequest {
  readonly srcState: string;
  readonly event: string;
  readonly arguments: Readonly<Record<string, string>>;
}

export interface OccTransitionReply {
  readonly ok: boolean;
  readonly state: string;
  readonly trigger: StateChangeTrigger;
  /** The event echoed by the task. */
  readonly event: string;
}

/**
 * A connection to one task's control port. Calls reject with `OccStatusError` (gRPC status of the task, or
 * UNAVAILABLE / DEADLINE_EXCEEDED / CANCELLED for transport failures, deadlines and aborts).
 */
export interface OccClient {
  getState(opts?: OccCallOptions): Promise<{ state: string; pid: number }>;
  transition(req: OccTransitionRequest, opts?: OccCallOptions): Promise<OccTransitionReply>;
  /** The task's EventStream until the task closes it or `signal` aborts (then it just ends). */
  events(signal: AbortSignal): AsyncIterable<DeviceEventName>;
  close(): void;
}

export type OccTransport = 'protobuf' | 'json';

/** The device event name of a wire number (unknown numbers read as NULL_DEVICE_EVENT). */
export function deviceEventName(type: number): DeviceEventName {
  const hit = Object.entries(DEVICE_EVENT_TYPES).find(([, n]) => n === type);
  return hit === undefined ? 'NULL_DEVICE_EVENT' : (hit[0] as DeviceEventName);
}

/** The trigger name of a wire number (absent means EXECUTOR, proto3 default). */
export function triggerName(trigger: number | undefined): StateChangeTrigger {
  const hit = Object.entries(STATE_CHANGE_TRIGGERS).find(([, n]) => n === (trigger ?? 0));
  return hit === undefined ? 'DEVICE_INTENTIONAL' : (hit[0] as StateChangeTrigger);
}

/** A signal that fires on the caller's abort or after `timeoutMs`, whichever first. */
export function callSignal(opts: OccCallOptions | undefined, defaultTimeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(opts?.timeoutMs ?? defaultTimeoutMs);
  return opts?.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
}
