/**
 * Who is asking: a user name and COG's roles. `guest` reads; `det-<name>` runs standalone environments of its
 * detector; `global` runs any environment; `admin` may do everything (force locks, clean-up, repositories and
 * configuration). Roles come from the token file, a JWT claim, or the local identity.
 */

export type Role = 'guest' | 'global' | 'admin' | `det-${string}`;

/** How the identity was established. */
export type Via = 'token' | 'jwt' | 'local';

export interface Identity {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly via: Via;
}

/** The role named by `text` (case-insensitive; `det-TPC` = `det-tpc`), or an error message saying what is allowed. */
export function parseRole(text: string): Role | { error: string } {
  const r = text.trim().toLowerCase();
  if (r === 'guest' || r === 'global' || r === 'admin') return r;
  if (/^det-[a-z0-9_]{1,64}$/.test(r)) return r as Role;
  return { error: `unknown role "${text}" (guest, det-<detector>, global or admin)` };
}

/** Detectors a role list may run standalone: `all` for global and admin. */
export function detectorScope(roles: readonly Role[]): 'all' | ReadonlySet<string> {
  if (roles.includes('global') || roles.includes('admin')) return 'all';
  return new Set(roles.filter((r) => r.startsWith('det-')).map((r) => r.slice(4).toUpperCase()));
}

/** "alice (det-tpc, det-its)". */
export function describe(who: Identity): string {
  return `${who.name} (${who.roles.length === 0 ? 'no role' : who.roles.join(', ')})`;
}
