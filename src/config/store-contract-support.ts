/**
 * Shared pieces of the store contract suite: the fixture types, child processes and polling.
 * @module
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { timeScale } from '../common/testing/time-scale.ts';
import { waitUntil } from '../common/testing/wait.ts';
import type { ChildJob, ChildStoreSpec } from './store-contract-child.ts';
import type { ConfigStore } from './store.ts';

/** One store under test: clients on shared data, and how a child process opens the same data. */
export interface StoreFixture {
  /** A new client on the shared data (closed by the suite). */
  open(): ConfigStore;
  readonly child: ChildStoreSpec;
  /** Releases the data (stops servers, removes directories). */
  dispose(): Promise<void>;
}

/** What the contract tests get: the fixture and a client opened for the suite. */
export interface ContractContext {
  readonly fixture: StoreFixture;
  readonly store: ConfigStore;
  /** Opens another client, closed after the suite. */
  another(): ConfigStore;
}

const CHILD = fileURLToPath(new URL('./store-contract-child.ts', import.meta.url));
const run = promisify(execFile);

/**
 * Runs a child job to completion and returns its JSON result; throws with the child's stderr on failure, and kills
 * it after `timeoutMs` × timeScale().
 */
export async function runChild<T>(job: ChildJob, timeoutMs = 60_000): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(job)], {
      timeout: timeoutMs * timeScale(),
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as T;
  } catch (e) {
    const { stderr, killed } = e as { stderr?: string; killed?: boolean };
    const why = killed === true ? `did not finish within ${timeoutMs * timeScale()} ms; ` : '';
    throw new Error(`store child (${job.action}) failed: ${why}${stderr ?? String(e)}`, {
      cause: e,
    });
  }
}

/** The child entry point's path, for tests that spawn it themselves. */
export const STORE_CHILD_SCRIPT = CHILD;

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs` × timeScale() with `what`. */
export function eventually(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return waitUntil(what, predicate, timeoutMs, 10);
}
