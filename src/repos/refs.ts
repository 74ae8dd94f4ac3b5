/**
 * Branches, tags and revision resolution in a bare clone. A revision is tried as a branch first (AliECS prefers
 * `origin/<rev>`), then as a tag, then as a commit (full or abbreviated hash, or any expression git accepts).
 */
import { git } from './git.ts';
import type { GitOptions } from './git.ts';
import { RepoError } from './repo-error.ts';

/** Name → commit hash; annotated tags are peeled to their commit. */
export interface RefTable {
  readonly branches: ReadonlyMap<string, string>;
  readonly tags: ReadonlyMap<string, string>;
}

export const EMPTY_REFS: RefTable = { branches: new Map(), tags: new Map() };

const HEADS = 'refs/heads/';
const TAGS = 'refs/tags/';

/** Reads every branch and tag of the bare repository at `gitDir` with one `git for-each-ref`. */
export function readRefs(gitDir: string): Promise<RefTable> {
  return readRefsWith({ gitDir });
}

/** Same as two tables with the same branches and tags at the same commits. */
export function sameRefs(a: RefTable, b: RefTable): boolean {
  const same = (x: ReadonlyMap<string, string>, y: ReadonlyMap<string, string>): boolean =>
    x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
  return same(a.branches, b.branches) && same(a.tags, b.tags);
}

/** Every branch and tag of the repository git finds with `opts` (a bare `gitDir`, or a `cwd` in a work tree). */
export async function readRefsWith(opts: GitOptions): Promise<RefTable> {
  const out = await git(
    [
      'for-each-ref',
      '--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)',
      HEADS,
      TAGS,
    ],
    opts,
  );
  const branches = new Map<string, string>();
  const tags = new Map<string, string>();
  for (const line of out.split('\n')) {
    const ref = parseRefLine(line);
    if (ref === undefined) continue;
    if (ref.name.startsWith(HEADS)) branches.set(ref.name.slice(HEADS.length), ref.commit);
    else tags.set(ref.name.slice(TAGS.length), ref.commit);
  }
  return { branches, tags };
}

function parseRefLine(line: string): { name: string; commit: string } | undefined {
  const m = /^([0-9a-f]+) (\S+) ([0-9a-f]*) (\S*) ?(.+)$/.exec(line);
  if (m === null) return undefined;
  const [, oid, type, peeled, peeledType, name] = m;
  if (oid === undefined || name === undefined) return undefined;
  if (type === 'commit') return { name, commit: oid };
  if (type === 'tag' && peeledType === 'commit' && peeled !== undefined) return { name, commit: peeled };
  return undefined;
}

/** Sorted branch names and sorted tag names. */
export function revisionNames(refs: RefTable): { branches: string[]; tags: string[] } {
  return { branches: [...refs.branches.keys()].sort(), tags: [...refs.tags.keys()].sort() };
}

/** The commit a branch or tag named `rev` points at, from the table only (no git call). */
export function lookupRef(refs: RefTable, rev: string): string | undefined {
  return refs.branches.get(rev) ?? refs.tags.get(rev);
}

/**
 * The 40-hex commit that `rev` names in `gitDir`: a branch, a tag, or a commit git can resolve.
 * Unknown or ambiguous → RepoError naming the revision.
 */
export async function resolveRevision(gitDir: string, refs: RefTable, rev: string): Promise<string> {
  const known = lookupRef(refs, rev);
  if (known !== undefined) return known;
  if (!isPlausibleRevision(rev)) throw new RepoError(`invalid revision "${rev}"`);
  try {
    const out = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
      gitDir,
    });
    const commit = out.trim();
    if (/^[0-9a-f]{40}$/.test(commit)) return commit;
  } catch {
    // fall through: git says nothing useful for an unknown name with --quiet
  }
  throw new RepoError(`unknown revision "${rev}" (not a branch, tag or commit)`);
}

/** Rejects option-like and whitespace-containing input before it reaches git. */
function isPlausibleRevision(rev: string): boolean {
  return rev !== '' && !rev.startsWith('-') && !/[\s\0]/.test(rev);
}
