/**
 * Errors of the Apricot service as data the transports map to status codes: a code, the request field at fault
 * (when one is) and a reason.
 * @module
 */

export type ApricotErrorCode =
  'invalid_argument' | 'not_found' | 'failed_precondition' | 'unavailable' | 'internal';

export class ApricotError extends Error {
  override readonly name = 'ApricotError';
  constructor(
    readonly code: ApricotErrorCode,
    message: string,
    /** Request field at fault, e.g. `path`, `query.runType`, `hostname`. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** InvalidArgument naming `field`. */
export function badArgument(field: string, reason: string): ApricotError {
  return new ApricotError('invalid_argument', `${field}: ${reason}`, field);
}

/** NotFound naming `field`. */
export function notFound(field: string, reason: string): ApricotError {
  return new ApricotError('not_found', `${field}: ${reason}`, field);
}
