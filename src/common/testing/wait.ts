/**
 * Test support: waits with time limits scaled by `timeScale()` whose errors say how long they waited and for what.
 * @module
 */
import { timeScale } from './time-scale.ts';

/** The error of an expired test time limit: `timed out after <N> ms waiting for <what>`. */
export class TestTimeout extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
    detail = '',
  ) {
    super(`timed out after ${ms} ms waiting for ${what}${detail === '' ? '' : ` (${detail})`}`);
    this.name = 'TestTimeout';
  }
}

/** `ms` × timeScale(), rounded: the limit a test actually waits. */
export function scaled(ms: number): number {
  return Math.round(ms * timeScale());
}

/**
 * Polls `predicate` every `intervalMs` until it returns true; rejects with a {@link TestTimeout} naming `what` after
 * `ms` × timeScale(). A predicate that throws ends the wait with that error.
 */
export async function waitUntil(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  ms = 5000,
  intervalMs = 20,
): Promise<void> {
  const limit = scaled(ms);
  const deadline = Date.now() + limit;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new TestTimeout(what, limit);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Resolves or rejects as `promise` does; rejects with a {@link TestTimeout} naming `what` when it has not settled
 * within `ms` × timeScale().
 */
export async function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  const limit = scaled(ms);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TestTimeout(what, limit)), limit);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
