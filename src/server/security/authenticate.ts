/**
 * Authentication: `authorization: Bearer <token>` checked against the token file, or as a JWT when JWT verification is
 * configured (a token with two dots). A request without credentials acts as the local identity only where that is
 * allowed (a loopback listener, or `--insecure`); a request with bad credentials is refused everywhere.
 */
import { isIP } from 'node:net';
import type { Identity, Role } from './identity.ts';
import type { JwtVerifier } from './jwt.ts';
import type { TokenTable } from './token-file.ts';

export interface Authenticator {
  readonly tokens: TokenTable;
  readonly jwt: JwtVerifier | undefined;
  /** The identity of requests without credentials; undefined = such requests are refused. */
  readonly local: Identity | undefined;
}

/** The identity of a request, or why it is not authenticated. */
export function authenticate(a: Authenticator, authorization: string | null): Identity | { error: string } {
  if (authorization === null || authorization.trim() === '') {
    return (
      a.local ?? {
        error: 'authentication required: send "authorization: Bearer <token>" (AXLE_TOKEN for the axle CLI)',
      }
    );
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (m?.[1] === undefined) return { error: 'the authorization header is not "Bearer <token>"' };
  const token = m[1];
  if (a.jwt !== undefined && token.split('.').length === 3) {
    try {
      return a.jwt.verify(token);
    } catch (e: unknown) {
      return { error: `JWT refused: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return a.tokens.lookup(token) ?? { error: 'unknown token' };
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export interface ListenPolicyInput {
  readonly host: string;
  readonly insecure: boolean;
  readonly requireAuth: boolean;
  /** Whether any credentials can be checked (tokens in the file or JWT configured). */
  readonly canAuthenticate: boolean;
  readonly localRole: Role;
}

export interface ListenPolicy {
  /** Whether requests without credentials act as the local identity. */
  readonly allowLocal: boolean;
  /** One line the core prints at start. */
  readonly notice: string;
}

/** Thrown at start when the listener would be open to the network without authentication. */
export class ListenPolicyError extends Error {
  override readonly name = 'ListenPolicyError';
}

/** What a listener on `host` accepts; throws ListenPolicyError when it would accept nobody or everybody. */
export function listenPolicy(i: ListenPolicyInput): ListenPolicy {
  const loopback = isLoopback(i.host);
  if (i.requireAuth || (!loopback && !i.insecure)) {
    if (!i.canAuthenticate)
      throw new ListenPolicyError(
        `refusing to listen on ${i.host}: ${loopback ? 'authentication is required' : 'it is not a loopback address'} ` +
          'but there is no token file entry and no JWT issuer to check credentials with; add tokens (axle token new), ' +
          'give --jwt-issuer and --jwt-public-key, or (not recommended) --insecure',
      );
    return { allowLocal: false, notice: `security: every request to ${i.host} must carry a token` };
  }
  if (!loopback)
    return {
      allowLocal: true,
      notice:
        `security: --insecure: requests to ${i.host} without a token act as the local identity (${i.localRole}); ` +
        'anyone who reaches this port can use it',
    };
  return {
    allowLocal: true,
    notice: `security: requests without a token on the loopback listener ${i.host} act as the local identity (${i.localRole})`,
  };
}
