/**
 * Errors of the OCC layer. `OccStatusError` is a gRPC status (raised by a task's server, or received by a client);
 * `OccError` is a failed transition as the agent sees it: the event, the state reached and the task's reason.
 */

/** gRPC status codes used by OCC, by name; the value is the wire number. */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;
export type GrpcStatusName = keyof typeof GRPC_STATUS;

/** The name of a wire status number (UNKNOWN for numbers OCC does not use). */
export function grpcStatusName(code: number): GrpcStatusName {
  const hit = Object.entries(GRPC_STATUS).find(([, n]) => n === code);
  return hit === undefined ? 'UNKNOWN' : (hit[0] as GrpcStatusName);
}

/** A non-OK gRPC status; `message` is the status message exactly as on the wire. */
export class OccStatusError extends Error {
  override readonly name = 'OccStatusError';
  readonly code: GrpcStatusName;

  constructor(code: GrpcStatusName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Normalises anything thrown by a call into a status error (network failures become UNAVAILABLE). */
  static from(err: unknown): OccStatusError {
    if (err instanceof OccStatusError) return err;
    if (err instanceof Error && err.name === 'AbortError') {
      return new OccStatusError('DEADLINE_EXCEEDED', err.message, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new OccStatusError('UNAVAILABLE', message, { cause: err });
  }
}

/** A transition that did not reach its destination. `state` is the OCC state the task is in afterwards. */
export class OccError extends Error {
  override readonly name = 'OccError';
  readonly event: string;
  readonly state: string;
  /** The task's own words (status message, or the reply that was not a success). */
  readonly reason: string;

  constructor(event: string, state: string, reason: string, options?: { cause?: unknown }) {
    super(`${event} failed in state ${state}: ${reason}`, options);
    this.event = event;
    this.state = state;
    this.reason = reason;
  }
}
