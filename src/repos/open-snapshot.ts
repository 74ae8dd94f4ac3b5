/**
 * Opening snapshots: git ones share loaded files through a cache keyed by commit hash (commits are immutable, so
 * a cached snapshot is never stale); plain directories are read afresh on every call.
 */
import type { PromiseLru } from './lru.ts';
import {
  LOCAL_COMMIT,
  exportDirTree,
  exportGitTree,
  loadDirFiles,
  loadGitFiles,
  makeSnapshot,
} from './snapshot.ts';
import type { RepoSnapshot, SnapshotFiles } from './snapshot.ts';

/** A plain directory to read now, or one commit of a bare repository (loaded once per commit via `cache`). */
export type SnapshotRequest =
  | { readonly kind: 'dir'; readonly repoId: string; readonly root: string }
  | {
      readonly kind: 'git';
      readonly repoId: string;
      readonly revision: string;
      readonly commit: string;
      readonly gitDir: string;
      readonly cache: PromiseLru<SnapshotFiles>;
    };

/** Loads (or takes from the cache) the files of the request and wraps them in a RepoSnapshot. */
export async function openSnapshot(req: SnapshotRequest): Promise<RepoSnapshot> {
  if (req.kind === 'dir') {
    const files = await loadDirFiles(req.root);
    const meta = { repoId: req.repoId, revision: LOCAL_COMMIT, commit: LOCAL_COMMIT };
    return makeSnapshot(meta, files, (dir) => exportDirTree(req.root, dir));
  }
  const files = await req.cache.get(req.commit, () => loadGitFiles(req.gitDir, req.commit));
  const meta = { repoId: req.repoId, revision: req.revision, commit: req.commit };
  return makeSnapshot(meta, files, (dir) => exportGitTree(req.gitDir, req.commit, dir));
}
