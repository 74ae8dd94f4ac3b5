/**
 * Calls to etcd with a bounded retry and error translation. Reads are retried on any transport failure; writes only
 * when the request certainly never reached etcd (no connection), so a retried compare-and-swap can never apply twice.
 * @module
 */
import { ConfigStoreError } from './store.ts';

export interface RetryOptions {
  /** Attempts before giving up; default 5. */
  readonly attempts: number;
  /** First backoff delay (ms), doubled after each failure; default 100 (so ~1.5 s in all with 5 attempts). */
  readonly backoffMs: number;
}

const DEFAULTS: RetryOptions = { attempts: 5, backoffMs: 100 };

/**
 * Runs `op` against the etcd at `uri`; on failure retries as described above, then throws ConfigStoreError:
 * 'unavailable' (etcd unreachable, naming the endpoint), 'invalid' (etcd refused the request) or 'io'.
 */
export async function callEtcd<T>(
  uri: string,
  kind: 'read' | 'write',
  key: string,
  op: () => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const { attempts, backoffMs } = { ...DEFAULTS, ...options };
  let delay = backoffMs;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      const retryable = kind === 'read' ? isTransportError(e) : isNotConnected(e);
      if (!retryable || attempt >= attempts) throw translate(uri, key, e, attempt, waited);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    waited += delay;
    delay *= 2;
  }
}

function translate(uri: string, key: string, e: unknown, attempts: number, waited: number): ConfigStoreError {
  const message = e instanceof Error ? e.message : String(e);
  if (isTransportError(e)) {
    const tries = attempts > 1 ? ` after ${attempts} attempts over ${waited} ms` : '';
    return new ConfigStoreError('unavailable', `etcd at ${uri} is unavailable${tries}: ${message}`, key);
  }
  if (/too many operations|request is too large|exceeds|invalid/i.test(message)) {
    return new ConfigStoreError('invalid', `etcd at ${uri} refused the request: ${message}`, key);
  }
  return new ConfigStoreError('io', `etcd at ${uri} failed: ${message}`, key);
}

/** True for gRPC UNAVAILABLE / DEADLINE_EXCEEDED and connection errors. */
function isTransportError(e: unknown): boolean {
  const name = e instanceof Error ? e.name : '';
  return name === 'GRPCUnavailableError' || name === 'GRPCDeadlineExceededError' || isNotConnected(e);
}

/** True when the call failed before any connection existed (the request was never sent). */
function isNotConnected(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  return /No connection established|ECONNREFUSED|Failed to connect|connection refused/i.test(message);
}
