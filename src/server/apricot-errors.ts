/** Mapping Apricot and store errors to Connect codes, with the RPC and field named in the message. */
import { Code, ConnectError } from '@connectrpc/connect';
import { ApricotError } from '../config/apricot-error.ts';
import type { ApricotErrorCode } from '../config/apricot-error.ts';
import { ConfigStoreError } from '../config/store.ts';
import type { ConfigStoreErrorCode } from '../config/store.ts';

const APRICOT_CODES: Readonly<Record<ApricotErrorCode, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  failed_precondition: Code.FailedPrecondition,
  unavailable: Code.Unavailable,
  internal: Code.Internal,
};

const STORE_CODES: Readonly<Record<ConfigStoreErrorCode, Code>> = {
  unavailable: Code.Unavailable,
  invalid: Code.InvalidArgument,
  io: Code.Internal,
};

/** The Connect error for a failure of RPC `name`: `Name: field: reason`. */
export function apricotConnectError(name: string, e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  if (e instanceof ApricotError) return new ConnectError(`${name}: ${e.message}`, APRICOT_CODES[e.code]);
  if (e instanceof ConfigStoreError) return new ConnectError(`${name}: ${e.message}`, STORE_CODES[e.code]);
  return new ConnectError(`${name}: ${e instanceof Error ? e.message : String(e)}`, Code.Internal);
}

/** Runs a handler body, mapping its errors with {@link apricotConnectError}. */
export async function apricotRpc<T>(name: string, body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (e: unknown) {
    throw apricotConnectError(name, e);
  }
}
