/** `axle.locks.v1.LockService` and `axle.audit.v1.AuditService`; the caller's identity comes from the guard. */
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { AuditService } from '../../gen/axle/audit/v1/audit_pb.ts';
import { LockService } from '../../gen/axle/locks/v1/locks_pb.ts';
import { denied, IDENTITY } from './guard.ts';
import { describe } from './identity.ts';
import type { Identity } from './identity.ts';
import { LockError } from './locks.ts';
import type { LockChange, LockTable } from './locks.ts';
import { detectorRefusal, grants } from './permissions.ts';
import type { SecurityDb } from './security-db.ts';

const MAX_LIST = 10_000;

export function securityRoutes(locks: LockTable, db: SecurityDb): (router: ConnectRouter) => void {
  return (router) => {
    router.service(LockService, {
      listLocks: () => ({
        locks: locks
          .list()
          .map((l) => ({ detector: l.detector, holder: l.holder, takenMs: BigInt(l.takenMs) })),
      }),
      takeLock: (req, ctx) => change(locks, 'TakeLock', req.detector, req.force, caller(ctx)),
      releaseLock: (req, ctx) => change(locks, 'ReleaseLock', req.detector, req.force, caller(ctx)),
    });
    router.service(AuditService, {
      listAudit: (req) => ({
        entries: db
          .audit({
            user: req.user,
            sinceMs: Number(req.sinceMs),
            rpc: req.rpc,
            limit: req.limit === 0 ? 100 : Math.min(req.limit, MAX_LIST),
          })
          .map((r) => ({ ...r, id: BigInt(r.id), timeMs: BigInt(r.timeMs) })),
      }),
    });
  };
}

function caller(ctx: HandlerContext): Identity {
  const who = ctx.values.get(IDENTITY);
  if (who === undefined)
    throw new ConnectError('no identity (the security interceptor is missing)', Code.Internal);
  return who;
}

function change(
  locks: LockTable,
  rpc: 'TakeLock' | 'ReleaseLock',
  detector: string,
  force: boolean,
  who: Identity,
): { lock?: { detector: string; holder: string; takenMs: bigint }; previousHolder: string } {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(detector))
    throw new ConnectError(
      `${rpc}: detector: "${detector.slice(0, 80)}" is not a detector name`,
      Code.InvalidArgument,
    );
  if (force && !grants(who, 'lock-admin'))
    throw denied(
      `${rpc}: user ${describe(who)} may not force the lock of ${detector.toUpperCase()}: needs admin`,
    );
  const scope = force ? undefined : detectorRefusal(who, [detector]);
  if (scope !== undefined)
    throw denied(
      `${rpc}: user ${describe(who)} may not take the lock of ${detector.toUpperCase()}: ${scope}`,
    );
  const action = rpc === 'TakeLock' ? (force ? 'force_take' : 'take') : force ? 'force_release' : 'release';
  let r: LockChange;
  try {
    r = locks.apply(detector, action, who.name);
  } catch (e: unknown) {
    if (e instanceof LockError) throw new ConnectError(`${rpc}: ${e.message}`, Code.FailedPrecondition);
    throw e;
  }
  return {
    ...(r.lock !== undefined
      ? { lock: { detector: r.lock.detector, holder: r.lock.holder, takenMs: BigInt(r.lock.takenMs) } }
      : {}),
    previousHolder: r.previousHolder ?? '',
  };
}
