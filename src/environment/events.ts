/**
 * Events the core produces, as our own types (the server converts them to `events.Event`). Message texts follow
 * AliECS (§5.4), which the GUI matches on.
 */
export type OpStatus = 'NULL' | 'STARTED' | 'ONGOING' | 'DONE_OK' | 'DONE_ERROR' | 'DONE_TIMEOUT';

export interface RequestUser {
  readonly name: string;
  readonly id?: number;
  readonly externalId?: number;
}

export interface EnvironmentEvent {
  readonly kind: 'environment';
  readonly environmentId: string;
  readonly state: string;
  readonly runNumber: number;
  readonly error?: string;
  readonly message: string;
  readonly transition?: string;
  readonly transitionStep?: string;
  readonly transitionStatus: OpStatus;
  readonly vars?: Readonly<Record<string, string>>;
  readonly lastRequestUser?: RequestUser;
}

export interface TaskEvent {
  readonly kind: 'task';
  readonly name: string;
  readonly taskId: string;
  readonly state: string;
  readonly status: string;
  readonly hostname: string;
  readonly className: string;
  readonly environmentId: string;
  readonly path: string;
  readonly traits?: { trigger: string; await: string; timeout: string; critical: boolean };
}

export interface RoleEvent {
  readonly kind: 'role';
  readonly name: string;
  readonly status: string;
  readonly state: string;
  readonly rolePath: string;
  readonly environmentId: string;
}

export interface CallEvent {
  readonly kind: 'call';
  readonly func: string;
  readonly callStatus: OpStatus;
  readonly return?: string;
  readonly output?: string;
  readonly error?: string;
  readonly environmentId: string;
  readonly path: string;
  readonly traits: { trigger: string; await: string; timeout: string; critical: boolean };
}

export interface RunEvent {
  readonly kind: 'run';
  readonly environmentId: string;
  readonly runNumber: number;
  readonly state: string;
  readonly error?: string;
  readonly transition: string;
  readonly transitionStatus: OpStatus;
  readonly lastRequestUser?: RequestUser;
}

/** A step of an integration plugin's operation (AliECS `Ev_IntegratedServiceEvent`, topic per plugin). */
export interface IntegratedServiceEvent {
  readonly kind: 'integratedService';
  /** The call role's path. */
  readonly name: string;
  readonly error?: string;
  /** The call's func, e.g. `trg.RunLoad()`. */
  readonly operationName: string;
  readonly operationStatus: OpStatus;
  readonly operationStep: string;
  readonly operationStepStatus: OpStatus;
  readonly environmentId: string;
  /** Free JSON (request and response). */
  readonly payload: string;
}

/** A detector lock changed (Axle extension; no environment). */
export interface LockEvent {
  readonly kind: 'lock';
  readonly detector: string;
  readonly action: 'take' | 'release' | 'force_take' | 'force_release';
  /** Empty when the lock is free after the change. */
  readonly holder: string;
  readonly previousHolder: string;
  /** Who asked for the change. */
  readonly user: string;
}

export type CoreEvent =
  EnvironmentEvent | TaskEvent | RoleEvent | CallEvent | RunEvent | IntegratedServiceEvent | LockEvent;

/** A timestamped event as delivered to subscribers, in production order. */
export interface StampedEvent {
  readonly seq: number;
  readonly timeMs: number;
  readonly event: CoreEvent;
}

type Listener = (e: StampedEvent) => void;

/** In-order fan-out of core events. Listeners must not throw (a throwing listener is removed). */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  publish(event: CoreEvent): void {
    const stamped: StampedEvent = { seq: ++this.seq, timeMs: Date.now(), event };
    for (const l of this.listeners) {
      try {
        l(stamped);
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
