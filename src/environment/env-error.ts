/** The one error type of the environment layer; the server maps `code` to a gRPC status. */
import type { Issue } from '../common/issue.ts';

export type EnvErrorCode =
  'not_found' | 'invalid_argument' | 'failed_precondition' | 'aborted' | 'internal' | 'unavailable';

export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(
    readonly code: EnvErrorCode,
    message: string,
    readonly issues: readonly Issue[] = [],
    readonly environmentId?: string,
  ) {
    super(message);
  }
}
