/**
 * AliECS's default-revision fallback: the repository's configured default, then the global default, then
 * `master`, then `main`; the first that exists wins.
 */
import { lookupRef } from './refs.ts';
import type { RefTable } from './refs.ts';

/** The candidates in fallback order, without duplicates or empty entries. */
export function defaultCandidates(repoDefault: string | undefined, globalDefault: string): string[] {
  const all = [repoDefault, globalDefault, 'master', 'main'].filter(
    (r): r is string => r !== undefined && r !== '',
  );
  return [...new Set(all)];
}

/**
 * The effective default from the ref table alone (no git call): the first candidate that is a branch or tag, or
 * that looks like a commit hash (configured commits were checked when they were set). When nothing matches (a
 * repository not fetched yet), the configured default, else the global default.
 */
export function effectiveDefault(
  repoDefault: string | undefined,
  globalDefault: string,
  refs: RefTable,
): string {
  for (const rev of defaultCandidates(repoDefault, globalDefault)) {
    if (lookupRef(refs, rev) !== undefined || /^[0-9a-f]{7,40}$/.test(rev)) return rev;
  }
  return repoDefault !== undefined && repoDefault !== '' ? repoDefault : globalDefault;
}
