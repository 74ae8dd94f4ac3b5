/**
 * Parsing of workflow and task template references, as written in NewEnvironment requests and `load:` keys:
 * `name`, `name@rev`, `<repo id>/workflows/<name>[.yaml][@rev]`, `<repo id>/tasks/<name>[@rev]`.
 * The repository part is matched against the known ids (longest first), so ids may contain `/` and `.`;
 * a leading `/` before a local-path id is accepted.
 */
import { RepoError } from './repo-error.ts';

export interface WorkflowRef {
  readonly repoId: string;
  /** Name without `.yaml`. */
  readonly workflow: string;
  /** The revision written after `@`; absent → the repository's default. */
  readonly revision?: string;
}

export interface TaskRef {
  readonly repoId: string;
  /** Name without `.yaml`. */
  readonly task: string;
  readonly revision: string;
}

/** Resolves a workflow reference; an unknown repository or malformed reference → RepoError. */
export function parseWorkflowRef(
  ref: string,
  repoIds: readonly string[],
  defaultRepo: string | undefined,
): WorkflowRef {
  const q = splitQualified(ref, repoIds, 'workflows');
  const repoId = q?.repoId ?? unqualifiedRepo(ref, 'workflows', defaultRepo);
  const { name, revision } = splitRevision(q?.rest ?? ref.trim(), ref);
  return { repoId, workflow: name, ...(revision !== undefined ? { revision } : {}) };
}

/**
 * Resolves a task reference met while loading a workflow of `current`. A bare `name` stays in the same repository
 * and revision; a qualified reference without `@rev` takes `current.revision` in the same repository and
 * `defaultRevisionOf(repoId)` in another one.
 */
export function parseTaskRef(
  ref: string,
  current: { repoId: string; revision: string },
  repoIds: readonly string[],
  defaultRevisionOf: (repoId: string) => string,
): TaskRef {
  const q = splitQualified(ref, repoIds, 'tasks');
  const repoId = q?.repoId ?? unqualifiedRepo(ref, 'tasks', current.repoId);
  const { name, revision } = splitRevision(q?.rest ?? ref.trim(), ref);
  const fallback = repoId === current.repoId ? current.revision : defaultRevisionOf(repoId);
  return { repoId, task: name, revision: revision ?? fallback };
}

function splitQualified(
  ref: string,
  repoIds: readonly string[],
  kind: 'workflows' | 'tasks',
): { repoId: string; rest: string } | undefined {
  const s = ref.trim().replace(/^\/+/, '');
  const byLength = [...repoIds].sort((a, b) => b.length - a.length);
  for (const id of byLength) {
    const prefix = `${id}/${kind}/`;
    if (s.startsWith(prefix)) return { repoId: id, rest: s.slice(prefix.length) };
  }
  return undefined;
}

function unqualifiedRepo(ref: string, kind: 'workflows' | 'tasks', fallback: string | undefined): string {
  const beforeRev = ref.trim().split('@')[0] ?? '';
  if (beforeRev.includes(`/${kind}/`)) {
    const repo = beforeRev.slice(0, beforeRev.indexOf(`/${kind}/`));
    throw new RepoError(`unknown repository "${repo}" in reference "${ref}"`, { repo });
  }
  if (beforeRev.includes('/')) {
    throw new RepoError(
      `malformed reference "${ref}": expected <name> or <repo id>/${kind}/<name>[@revision]`,
    );
  }
  if (fallback === undefined) throw new RepoError(`no default repository to resolve "${ref}"`);
  return fallback;
}

function splitRevision(rest: string, ref: string): { name: string; revision?: string } {
  const at = rest.indexOf('@');
  const rawName = at < 0 ? rest : rest.slice(0, at);
  const revision = at < 0 ? '' : rest.slice(at + 1).trim();
  const name = rawName.trim().replace(/\.yaml$/, '');
  if (name === '') throw new RepoError(`reference "${ref}" names no template`);
  return revision === '' ? { name } : { name, revision };
}
