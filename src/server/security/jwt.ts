/**
 * OIDC/JWT bearer tokens verified locally: signature (RS256 or ES256) with the configured public key (a PEM file; keys
 * are never fetched over the network), `iss` equal to the configured issuer, `aud` containing the configured audience
 * (when one is set), `exp` and `nbf` with 30 s of clock skew. The user is `preferred_username` (else `sub`); roles come
 * from a claim (default `roles`; a dotted path such as `realm_access.roles` reaches nested claims).
 */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseRole } from './identity.ts';
import type { Identity, Role } from './identity.ts';

export interface JwtOptions {
  readonly issuer: string;
  /** PEM file with the issuer's public key (RSA or EC P-256). */
  readonly publicKeyFile: string;
  readonly audience?: string;
  /** Claim holding the roles (default `roles`). */
  readonly rolesClaim?: string;
  readonly now?: () => number;
}

const SKEW_S = 30;

/** Why a JWT was refused (never echoes the token). */
export class JwtError extends Error {
  override readonly name = 'JwtError';
}

export class JwtVerifier {
  private readonly key: KeyObject;

  constructor(private readonly o: JwtOptions) {
    try {
      this.key = createPublicKey(readFileSync(o.publicKeyFile, 'utf8'));
    } catch (e: unknown) {
      throw new JwtError(
        `--jwt-public-key ${o.publicKeyFile}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** The identity of a valid token; throws JwtError saying what is wrong. */
  verify(token: string): Identity {
    const parts = token.split('.');
    if (parts.length !== 3) throw new JwtError('not a JWT (three dot-separated parts expected)');
    const [h, p, s] = parts as [string, string, string];
    const header = decodePart(h, 'header');
    this.checkSignature(String(header['alg']), `${h}.${p}`, Buffer.from(s, 'base64url'));
    const claims = decodePart(p, 'payload');
    this.checkClaims(claims);
    const name = claims['preferred_username'] ?? claims['sub'];
    if (typeof name !== 'string' || name === '') throw new JwtError('no preferred_username or sub claim');
    return { name, roles: this.roles(claims), via: 'jwt' };
  }

  private checkSignature(alg: string, signed: string, sig: Buffer): void {
    const type = this.key.asymmetricKeyType;
    const ok =
      alg === 'RS256' && type === 'rsa'
        ? verify('sha256', Buffer.from(signed), this.key, sig)
        : alg === 'ES256' && type === 'ec'
          ? verify('sha256', Buffer.from(signed), { key: this.key, dsaEncoding: 'ieee-p1363' }, sig)
          : undefined;
    if (ok === undefined)
      throw new JwtError(
        `algorithm ${alg} does not match the configured ${type ?? '?'} key (RS256 or ES256)`,
      );
    if (!ok) throw new JwtError('bad signature');
  }

  private checkClaims(c: Record<string, unknown>): void {
    const now = Math.floor((this.o.now ?? Date.now)() / 1000);
    if (c['iss'] !== this.o.issuer) throw new JwtError(`issuer ${String(c['iss'])} is not ${this.o.issuer}`);
    if (typeof c['exp'] !== 'number') throw new JwtError('no exp claim');
    if (now > c['exp'] + SKEW_S) throw new JwtError(`expired at ${new Date(c['exp'] * 1000).toISOString()}`);
    if (typeof c['nbf'] === 'number' && now + SKEW_S < c['nbf'])
      throw new JwtError(`not valid before ${new Date(c['nbf'] * 1000).toISOString()}`);
    const aud = this.o.audience;
    if (aud !== undefined) {
      const list = Array.isArray(c['aud']) ? (c['aud'] as unknown[]) : [c['aud']];
      if (!list.includes(aud)) throw new JwtError(`audience does not include ${aud}`);
    }
  }

  private roles(c: Record<string, unknown>): Role[] {
    const path = this.o.rolesClaim ?? 'roles';
    let v: unknown = c;
    for (const k of path.split('.'))
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[ ,]+/) : [];
    // Roles the core does not know (an IdP's own) are ignored; no role at all means guest rights.
    const roles = list.map((r) => parseRole(String(r))).filter((r): r is Role => typeof r === 'string');
    return roles.length === 0 ? ['guest'] : roles;
  }
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new JwtError(`the ${what} is not a JSON object`);
}
