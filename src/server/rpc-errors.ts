/** One mapping from domain errors to gRPC statuses, and argument checks that name the field. */
import { Code, ConnectError } from '@connectrpc/connect';
import { formatIssue } from '../common/issue.ts';
import { EnvError } from '../environment/env-error.ts';
import type { EnvErrorCode } from '../environment/env-error.ts';
import { RepoError } from '../repos/repo-error.ts';

const CODES: Readonly<Record<EnvErrorCode, Code>> = {
  not_found: Code.NotFound,
  invalid_argument: Code.InvalidArgument,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  internal: Code.Internal,
  unavailable: Code.Unavailable,
};

const MAX_ERROR_LENGTH = 6000;

/** Runs a handler body, turning domain errors into ConnectErrors with the RPC name. */
export async function rpc<T>(name: string, body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (e: unknown) {
    throw toConnectError(name, e);
  }
}

export function toConnectError(name: string, e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  if (e instanceof EnvError) {
    const detail =
      e.issues.length > 0 && !e.message.includes('\n') ? `\n${e.issues.map(formatIssue).join('\n')}` : '';
    return new ConnectError(`${name}: ${e.message}${detail}`.slice(0, MAX_ERROR_LENGTH), CODES[e.code]);
  }
  if (e instanceof RepoError) {
    const code = e.code === 'deadline_exceeded' ? Code.DeadlineExceeded : Code.InvalidArgument;
    return new ConnectError(`${name}: ${e.message}`, code);
  }
  return new ConnectError(
    `${name}: ${e instanceof Error ? e.message : String(e)}`.slice(0, MAX_ERROR_LENGTH),
    Code.Internal,
  );
}

/** Environment ids are exactly 11 letters and digits (the uid text of `newUid`); anything else is InvalidArgument. */
export function checkEnvId(rpcName: string, field: string, id: string): string {
  if (!/^[0-9A-Za-z]{11}$/.test(id))
    throw new ConnectError(
      `${rpcName}: ${field}: "${id}" is not a valid environment id (11 letters and digits)`,
      Code.InvalidArgument,
    );
  return id;
}

export function invalid(rpcName: string, field: string, what: string): ConnectError {
  return new ConnectError(`${rpcName}: ${field}: ${what}`, Code.InvalidArgument);
}
