/**
 * @module security
 * The core's security, in one piece for `startCore`: identities (token file, JWT, local identity), the permission
 * interceptor, detector locks, the audit log, and their services. See README "Running securely".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectRouter, Interceptor } from '@connectrpc/connect';
import type { EventBus } from '../../environment/events.ts';
import { listenPolicy } from './authenticate.ts';
import { currentCaller, denied, environmentRefusal, securityInterceptor } from './guard.ts';
import { describe, parseRole } from './identity.ts';
import type { Identity } from './identity.ts';
import { JwtVerifier } from './jwt.ts';
import type { JwtOptions } from './jwt.ts';
import { LockTable } from './locks.ts';
import { SecurityDb } from './security-db.ts';
import { securityRoutes } from './services.ts';
import { TokenTable } from './token-file.ts';

export const TOKEN_FILE = 'tokens.yaml';

export interface SecurityOptions {
  readonly stateDir: string;
  /** The address the core listens on. */
  readonly host: string;
  /** Default `<state dir>/tokens.yaml` (none there: no tokens). */
  readonly tokenFile?: string;
  readonly jwt?: Omit<JwtOptions, 'now'>;
  /** Role of requests without credentials where they are allowed (default admin). */
  readonly localIdentity?: string;
  /** Allow requests without credentials on a non-loopback listener. */
  readonly insecure?: boolean;
  /** Refuse requests without credentials even on loopback. */
  readonly requireAuth?: boolean;
  readonly bus: EventBus;
  /** Detectors of a live environment (undefined: no such environment). */
  readonly environmentDetectors: (id: string) => readonly string[] | undefined;
  /** Detectors of hosts in the configuration (a request's `hosts` are checked too, whatever `detectors` says). */
  readonly hostDetectors?: (hosts: readonly string[]) => readonly string[];
}

type PlanFunction<R> = (workflow: string, vars: Readonly<Record<string, string>>, id: string) => Promise<R>;

export interface Security {
  readonly interceptor: Interceptor;
  readonly routes: (router: ConnectRouter) => void;
  readonly locks: LockTable;
  /** The line the core prints at start about who may connect. */
  readonly notice: string;
  /**
   * Wraps the planner: a plan whose detectors, or the detectors of the hosts the request names, the caller may not
   * use (scope or locks) is refused.
   */
  guardPlan<R extends object>(plan: PlanFunction<R>): PlanFunction<R>;
  close(): void;
}

/** Opens the security database and checks the configuration; throws (the core does not start) on any problem. */
export function openSecurity(o: SecurityOptions): Security {
  const localRole = parseRole(o.localIdentity ?? 'admin');
  if (typeof localRole === 'object') throw new Error(`--local-identity: ${localRole.error}`);
  const tokenPath = o.tokenFile ?? join(o.stateDir, TOKEN_FILE);
  const tokens =
    o.tokenFile !== undefined || existsSync(tokenPath) ? TokenTable.load(tokenPath) : TokenTable.empty();
  const jwt = o.jwt === undefined ? undefined : new JwtVerifier(o.jwt);
  const policy = listenPolicy({
    host: o.host,
    insecure: o.insecure === true,
    requireAuth: o.requireAuth === true,
    canAuthenticate: tokens.size > 0 || jwt !== undefined,
    localRole,
  });
  const local: Identity | undefined = policy.allowLocal
    ? { name: 'local', roles: [localRole], via: 'local' }
    : undefined;
  const db = new SecurityDb(o.stateDir);
  const locks = new LockTable(db, o.bus);
  const interceptor = securityInterceptor({
    auth: { tokens, jwt, local },
    db,
    locks,
    environmentDetectors: o.environmentDetectors,
  });
  return {
    interceptor,
    routes: securityRoutes(locks, db),
    locks,
    notice: `${policy.notice}; ${tokens.size} token(s) in ${tokenPath}${jwt !== undefined ? `, JWT issuer ${o.jwt?.issuer ?? ''}` : ''}`,
    guardPlan: (plan) => async (workflow, vars, id) => {
      const r = await plan(workflow, vars, id);
      const detectors = (r as { detectors?: unknown }).detectors;
      const c = currentCaller();
      if (c !== undefined && Array.isArray(detectors)) {
        const fromHosts = hostDetectors(o, vars['hosts']);
        const list = [...new Set([...detectors.map(String), ...fromHosts])].sort();
        const why = environmentRefusal(c.who, list, locks);
        if (why !== undefined)
          throw denied(
            `${c.rpc}: user ${describe(c.who)} may not create an environment using detectors [${list.join(', ')}]: ${why}`,
          );
      }
      return r;
    },
    close: () => db.close(),
  };
}

/** The host names of a `hosts` variable (a JSON list); none when it is not one (the planner reports that). */
function hostsOf(text: string | undefined): string[] {
  try {
    const v: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string') : [];
  } catch {
    return [];
  }
}

function hostDetectors(o: SecurityOptions, hosts: string | undefined): readonly string[] {
  try {
    return o.hostDetectors?.(hostsOf(hosts)) ?? [];
  } catch {
    return [];
  }
}
