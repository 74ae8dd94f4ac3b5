/**
 * Detector locks as a table plus a pure decision: what each action does to a lock given its holder and the actor,
 * and why a refused action is refused. Who may ask at all (roles) is checked before; this is about holders.
 */

export type LockAction = 'take' | 'release' | 'force_take' | 'force_release';

export type LockDecision =
  | { readonly ok: true; readonly holder: string | undefined; readonly changed: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * | action        | free              | held by actor      | held by another              |
 * |---------------|-------------------|--------------------|------------------------------|
 * | take          | actor holds       | unchanged          | refused (held by X)          |
 * | release       | refused (free)    | free               | refused (held by X)          |
 * | force_take    | actor holds       | unchanged          | actor holds                  |
 * | force_release | unchanged (free)  | free               | free                         |
 */
export function decideLock(
  detector: string,
  holder: string | undefined,
  action: LockAction,
  actor: string,
): LockDecision {
  const mine = holder === actor;
  switch (action) {
    case 'take':
      if (holder === undefined) return { ok: true, holder: actor, changed: true };
      if (mine) return { ok: true, holder, changed: false };
      return { ok: false, reason: `the lock of ${detector} is held by ${holder}` };
    case 'release':
      if (holder === undefined) return { ok: false, reason: `the lock of ${detector} is not held` };
      if (mine) return { ok: true, holder: undefined, changed: true };
      return { ok: false, reason: `the lock of ${detector} is held by ${holder}, not by ${actor}` };
    case 'force_take':
      return { ok: true, holder: actor, changed: !mine };
    case 'force_release':
      return { ok: true, holder: undefined, changed: holder !== undefined };
  }
}
