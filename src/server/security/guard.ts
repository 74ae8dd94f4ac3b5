/**
 * The security interceptor: authenticates every request to a protected service, checks the caller's roles against the
 * permission table, checks detector scope and locks for requests on an existing environment, fills `requestUser` from
 * the identity, and writes an audit entry for every request that is not a read (allowed or refused). The identity is
 * available to handlers (`IDENTITY`) and, for code the request runs (environment creation), through `currentCaller`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createContextKey } from '@connectrpc/connect';
import type { Interceptor } from '@connectrpc/connect';
import { UserSchema } from '../../gen/protos/common_pb.ts';
import type { Authenticator } from './authenticate.ts';
import { authenticate } from './authenticate.ts';
import { boundedArgs } from './bounded-args.ts';
import { describe } from './identity.ts';
import type { Identity } from './identity.ts';
import type { LockTable } from './locks.ts';
import { classify, detectorRefusal, grants, needs } from './permissions.ts';
import type { RpcClass } from './permissions.ts';
import type { SecurityDb } from './security-db.ts';

/** The identity a handler of a protected service runs for. */
export const IDENTITY = createContextKey<Identity | undefined>(undefined, { description: 'caller identity' });

interface Caller {
  readonly who: Identity;
  readonly rpc: string;
}

const callers = new AsyncLocalStorage<Caller>();

/** The identity and RPC of the request the current code runs for (undefined outside a request). */
export function currentCaller(): Caller | undefined {
  return callers.getStore();
}

const VERBS: Readonly<Record<RpcClass, string>> = {
  read: 'read',
  'environment-control': 'control environments',
  'repository-admin': 'change repositories',
  'configuration-write': 'change the configuration',
  'tasks-cleanup': 'clean up tasks',
  'lock-admin': 'force locks',
};

/** RPCs acting on an existing environment named by the request's `id`. */
const ON_ENVIRONMENT: Readonly<Record<string, string>> = {
  ControlEnvironment: 'control',
  DestroyEnvironment: 'destroy',
  ModifyEnvironment: 'modify',
};

export interface GuardOptions {
  readonly auth: Authenticator;
  readonly db: SecurityDb;
  readonly locks: LockTable;
  /** Detectors of a live environment, undefined when there is none with this id. */
  readonly environmentDetectors: (id: string) => readonly string[] | undefined;
  readonly now?: () => number;
}

export function denied(message: string): ConnectError {
  return new ConnectError(message, Code.PermissionDenied);
}

/**
 * Why `who` may not use environments with these detectors (scope, then locks), or undefined. A request acting as the
 * local identity may use a free lock (AliECS clients cannot take locks); everyone else must hold it.
 */
export function environmentRefusal(
  who: Identity,
  detectors: readonly string[],
  locks: LockTable,
): string | undefined {
  const scope = detectorRefusal(who, detectors);
  if (scope !== undefined) return scope;
  for (const d of detectors) {
    const holder = locks.holder(d);
    if (holder === who.name || (holder === undefined && who.via === 'local')) continue;
    return holder === undefined
      ? `needs the lock of ${d.toUpperCase()} (axle lock take ${d.toUpperCase()})`
      : `the lock of ${d.toUpperCase()} is held by ${holder}`;
  }
  return undefined;
}

export function securityInterceptor(o: GuardOptions): Interceptor {
  const now = o.now ?? Date.now;
  return (next) => async (req) => {
    const cls = classify(req.service.typeName, req.method.name);
    if (cls === undefined) return next(req);
    const rpc = req.method.name;
    const started = now();
    const msg = req.stream ? undefined : (req.message as unknown as Record<string, unknown>);
    const claimed = claimedUser(msg);
    const args = cls === 'read' || msg === undefined ? '' : boundedArgs(msg);
    const auth = authenticate(o.auth, req.header.get('authorization'));
    const who = 'error' in auth ? undefined : auth;
    const audit = (outcome: string, error: string): void => {
      if (cls === 'read') return;
      o.db.addAudit({
        timeMs: started,
        user: who?.name ?? '(unauthenticated)',
        via: who?.via ?? '',
        claimedUser: claimed !== undefined && claimed !== who?.name ? claimed : '',
        rpc: `${req.service.typeName}/${rpc}`,
        arguments: args,
        outcome,
        error: error.slice(0, 2000),
        durationMs: Math.max(0, now() - started),
      });
    };
    try {
      if (who === undefined)
        throw new ConnectError(`${rpc}: ${(auth as { error: string }).error}`, Code.Unauthenticated);
      if (cls === 'unlisted') throw denied(`${rpc}: not in the permission table; refused for every user`);
      if (!grants(who, cls))
        throw denied(`${rpc}: user ${describe(who)} may not ${VERBS[cls]}: ${needs(cls)}`);
      if (msg !== undefined) checkEnvironment(o, rpc, msg, who);
      if (msg !== undefined) fillRequestUser(req.method.input.fields, msg, who);
      req.contextValues.set(IDENTITY, who);
      const res = await callers.run({ who, rpc }, () => next(req));
      audit('ok', '');
      return res;
    } catch (e: unknown) {
      const err = ConnectError.from(e);
      audit(
        Code[err.code].replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c : `_${c}`)).toLowerCase(),
        err.rawMessage,
      );
      throw e;
    }
  };
}

function checkEnvironment(o: GuardOptions, rpc: string, msg: Record<string, unknown>, who: Identity): void {
  const verb = ON_ENVIRONMENT[rpc];
  if (verb === undefined || typeof msg['id'] !== 'string') return;
  const detectors = o.environmentDetectors(msg['id']);
  if (detectors === undefined) return;
  const why = environmentRefusal(who, detectors, o.locks);
  if (why !== undefined)
    throw denied(
      `${rpc}: user ${describe(who)} may not ${verb} environment ${msg['id']} using detectors [${detectors.join(', ')}]: ${why}`,
    );
}

/** The user name the client claims in `requestUser`, if any. */
function claimedUser(msg: Record<string, unknown> | undefined): string | undefined {
  const u = msg?.['requestUser'] as { name?: unknown } | undefined;
  return typeof u?.name === 'string' && u.name !== '' ? u.name : undefined;
}

/**
 * `requestUser` comes from the identity, never from the client; except for the local identity, whose clients
 * (AliECS's) send the real user's name, which is kept when given.
 */
function fillRequestUser(
  fields: readonly { readonly localName: string }[],
  msg: Record<string, unknown>,
  who: Identity,
): void {
  if (!fields.some((f) => f.localName === 'requestUser')) return;
  if (who.via === 'local') return;
  msg['requestUser'] = create(UserSchema, { name: who.name });
}
