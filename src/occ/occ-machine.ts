/**
 * The transport-independent side of an OCC server: a machine answers GetState/Transition and feeds EventStreams.
 * The protobuf server (direct mode) and the OCClite JSON server (FairMQ devices) both serve an `OccMachine`.
 */
import type { DeviceEventName, StateChangeTrigger } from '../common/task-state.ts';

/** A Transition request as decoded from the wire (repeated ConfigEntry folded into a record, last key wins). */
export interface TransitionInput {
  readonly srcState: string;
  readonly event: string;
  readonly arguments: Readonly<Record<string, string>>;
}

/** A Transition reply (status OK). `event` echoes the request. */
export interface TransitionOutput {
  readonly trigger: StateChangeTrigger;
  readonly state: string;
  readonly event: string;
  readonly ok: boolean;
}

/** What both OCC servers need. `transition` rejects with `OccStatusError` for non-OK statuses. */
export interface OccMachine {
  readonly state: string;
  transition(req: TransitionInput): Promise<TransitionOutput>;
  /** Device events until the machine closes the stream (direct: DONE; FairMQ: EXITING or ERROR) or `signal` aborts. */
  events(signal: AbortSignal): AsyncIterable<DeviceEventName>;
  /** Stable states reached, for StateStream (direct mode only; OCClite has no StateStream). */
  states?(signal: AbortSignal): AsyncIterable<string>;
}

/**
 * Fan-out of device events to open EventStreams. Events emitted while nobody listens are dropped, like the OCC
 * library does. After `close()` every stream ends, and streams opened later end at once.
 */
export class EventHub<T = DeviceEventName> {
  private readonly listeners = new Set<(e: T | null) => void>();
  private closed = false;

  emit(event: T): void {
    for (const l of this.listeners) l(event);
  }

  close(): void {
    this.closed = true;
    for (const l of this.listeners) l(null);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async *stream(signal: AbortSignal): AsyncGenerator<T> {
    if (this.closed) return;
    const queue: (T | null)[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: T | null): void => {
      queue.push(e);
      wake?.();
    };
    const onAbort = (): void => listener(null);
    this.listeners.add(listener);
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        if (queue.length === 0 || signal.aborted) return;
        const e = queue.shift() as T | null;
        if (e === null) return;
        yield e;
      }
    } finally {
      this.listeners.delete(listener);
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** Runs async jobs one at a time, in call order (transitions of one task never overlap). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A running OCC server (either transport). `close()` ends open streams and frees the port. */
export interface OccServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Where an OCC server listens; port 0 picks a free port. Servers bind 127.0.0.1 unless told otherwise. */
export interface OccServeOptions {
  readonly port: number;
  readonly host?: string;
}
