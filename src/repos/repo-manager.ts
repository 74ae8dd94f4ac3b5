/**
 * RepoManager: the set of template repositories (AliECS ListRepos/AddRepo/RemoveRepo/RefreshRepos/SetDefaultRepo/
 * SetGlobalDefaultRevision/SetRepoDefaultRevision), persisted in `<stateDir>/repos/repos.json`. Git repositories
 * are mirrored bare under `<stateDir>/repos/`; templates are read through immutable RepoSnapshots.
 * Repositories are addressed by id or by index in the alphabetical list of ids, as AliECS does.
 *
 * @example
 * const repos = await RepoManager.open({ stateDir: '/var/lib/axle' });
 * await repos.add('https://github.com/AliceO2Group/ControlWorkflows.git');
 * const snap = await repos.snapshot(0, 'master');
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveDefault } from './default-revision.ts';
import { PromiseLru } from './lru.ts';
import { NETWORK_TIMEOUT_MS } from './mirror.ts';
import { MirrorSet } from './mirror-set.ts';
import { openSnapshot } from './open-snapshot.ts';
import { revisionNames } from './refs.ts';
import { RepoError } from './repo-error.ts';
import { classifySource } from './repo-source.ts';
import type { RepoKind } from './repo-source.ts';
import { loadState, saveState } from './repo-state.ts';
import type { RepoRecord, RepoState } from './repo-state.ts';
import type { RepoSnapshot, SnapshotFiles } from './snapshot.ts';
import { parseTaskRef, parseWorkflowRef } from './template-ref.ts';
import type { TaskRef, WorkflowRef } from './template-ref.ts';

export interface RepoInfo {
  /** Position in the alphabetical list of ids (what the RPCs and coconut use). */
  readonly index: number;
  readonly id: string;
  readonly url: string;
  readonly kind: RepoKind;
  readonly isDefault: boolean;
  /** The effective default revision (configured → global default → master → main, first that exists). */
  readonly defaultRevision: string;
  /** Branches then tags, each sorted; `['local']` for a plain directory. Only with `list({ withRevisions })`. */
  readonly revisions?: string[];
}

export interface RepoManagerOptions {
  readonly stateDir: string;
  /** Snapshots kept in memory, keyed by commit (default 16). */
  readonly snapshotCacheSize?: number;
  /** Deadline for clone and fetch (default 5 min). */
  readonly networkTimeoutMs?: number;
}

/** A repository index in the alphabetical list, or its id (a leading `/` is accepted) or its url. */
export type RepoKey = number | string;

/**
 * The caller's deadline for a mutation: when `signal` aborts before the operation's turn comes, the operation is
 * dropped (never applied) and the call fails at once with a RepoError of code `deadline_exceeded`; once started, git
 * commands of the operation are killed when it aborts.
 */
export interface RepoCallOptions {
  readonly signal?: AbortSignal;
}

const LOCAL = 'local';

export class RepoManager {
  readonly #stateFile: string;
  readonly #mirrors: MirrorSet;
  readonly #cache: PromiseLru<SnapshotFiles>;
  #state: RepoState;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(opts: RepoManagerOptions, state: RepoState) {
    const root = join(opts.stateDir, 'repos');
    this.#stateFile = join(root, 'repos.json');
    this.#mirrors = new MirrorSet(root, opts.networkTimeoutMs ?? NETWORK_TIMEOUT_MS);
    this.#cache = new PromiseLru(opts.snapshotCacheSize ?? 16);
    this.#state = state;
  }

  /** Loads the saved state; missing mirrors are cloned again, unreachable ones stay listed without revisions. */
  static async open(opts: RepoManagerOptions): Promise<RepoManager> {
    const state = await loadState(join(opts.stateDir, 'repos', 'repos.json'));
    const m = new RepoManager(opts, state);
    const git = state.repos.filter((r) => r.kind === 'git');
    await Promise.all(git.map((r) => m.#mirrors.open(r).catch(() => undefined)));
    return m;
  }

  get globalDefaultRevision(): string {
    return this.#state.globalDefaultRevision;
  }

  get defaultRepoId(): string | undefined {
    return this.#state.defaultRepo;
  }

  /** All repositories sorted by id. */
  list(opts: { withRevisions?: boolean } = {}): RepoInfo[] {
    return this.#sorted().map((r, index) => this.#info(r, index, opts.withRevisions === true));
  }

  /**
   * Adds a repository; the first one becomes the default unless `oneOff` (registered for one command's use, e.g. a
   * CLI `--repo`: it never becomes the default by being added). A git repository's default revision is fixed now (as
   * in AliECS): the requested one, else the global default, master or main, whichever exists first; it does not
   * follow later changes of the global default. Duplicate id or unreadable source → RepoError.
   */
  add(
    url: string,
    opts: { defaultRevision?: string; oneOff?: boolean } & RepoCallOptions = {},
  ): Promise<RepoInfo> {
    return this.#exclusive(`adding repository ${url}`, opts.signal, async () => {
      const src = classifySource(url);
      if (src.kind === 'dir') requireTemplateDir(src.location, src.id);
      if (this.#state.repos.some((r) => r.id === src.id)) {
        throw new RepoError(`repository ${src.id} is already present`, { repo: src.id });
      }
      const rev = opts.defaultRevision === '' ? undefined : opts.defaultRevision;
      if (rev !== undefined) checkRevision(rev);
      if (src.kind === 'dir' && rev !== undefined) onlyLocal(src.id, rev);
      const fixed =
        src.kind === 'git'
          ? await this.#mirrors.add(src, rev, this.globalDefaultRevision, opts.signal)
          : undefined;
      const record: RepoRecord = { ...src, ...(fixed !== undefined ? { defaultRevision: fixed } : {}) };
      const defaultRepo = this.#state.defaultRepo ?? (opts.oneOff === true ? undefined : src.id);
      const repos = [...this.#state.repos, record];
      await this.#save({ ...this.#state, ...(defaultRepo !== undefined ? { defaultRepo } : {}), repos });
      return this.#infoOf(src.id);
    });
  }

  /**
   * Removes a repository and its mirror; when it was the default, the default moves to the first remaining
   * repository, whose id is returned as `newDefault` (absent when the default did not change).
   */
  remove(key: RepoKey, opts: RepoCallOptions = {}): Promise<{ newDefault?: string }> {
    return this.#exclusive(`removing repository ${key}`, opts.signal, async () => {
      const record = this.#find(key);
      const repos = this.#state.repos.filter((r) => r.id !== record.id);
      const { defaultRepo: old, ...rest } = this.#state;
      const moved = old === record.id;
      const defaultRepo = moved ? [...repos].sort(byId)[0]?.id : old;
      await this.#save({ ...rest, repos, ...(defaultRepo !== undefined ? { defaultRepo } : {}) });
      if (record.kind === 'git') await this.#mirrors.remove(record.id);
      return moved && defaultRepo !== undefined ? { newDefault: defaultRepo } : {};
    });
  }

  /**
   * Fetches one repository, or all when `key` is omitted (all are tried; failures are reported together). With
   * `maxAgeMs`, mirrors fetched successfully less than that long ago are not fetched again.
   */
  refresh(key?: RepoKey, opts: RepoCallOptions & { readonly maxAgeMs?: number } = {}): Promise<void> {
    return this.#exclusive(`refreshing ${key ?? 'every repository'}`, opts.signal, async () => {
      const targets = (key === undefined ? this.#sorted() : [this.#find(key)]).filter(
        (r) => r.kind === 'git',
      );
      const errors: RepoError[] = [];
      for (const r of targets) {
        await this.#mirrors
          .refresh(r, opts.signal, opts.maxAgeMs)
          .catch((e: unknown) => errors.push(asRepoError(e, r.id)));
      }
      if (errors.length === 1 && errors[0] !== undefined) throw errors[0];
      if (errors.length > 1)
        throw new RepoError(`refresh failed: ${errors.map((e) => e.message).join('; ')}`);
    });
  }

  /** Makes a repository the default one; it already being the default is a RepoError (as in AliECS). */
  setDefault(key: RepoKey, opts: RepoCallOptions = {}): Promise<void> {
    return this.#exclusive(`setting the default repository to ${key}`, opts.signal, async () => {
      const record = this.#find(key);
      if (this.#state.defaultRepo === record.id) {
        throw new RepoError(`${record.id} is already the default repository`, { repo: record.id });
      }
      await this.#save({ ...this.#state, defaultRepo: record.id });
    });
  }

  /** Sets the global default revision; it is not checked against any repository. */
  setGlobalDefaultRevision(rev: string, opts: RepoCallOptions = {}): Promise<void> {
    return this.#exclusive(`setting the global default revision to ${rev}`, opts.signal, async () => {
      const r = rev.trim();
      checkRevision(r === '' ? rev : r);
      await this.#save({ ...this.#state, globalDefaultRevision: r });
    });
  }

  /** Sets a repository's default revision, which must exist there (branch, tag or commit) → else RepoError. */
  setRepoDefaultRevision(key: RepoKey, rev: string, opts: RepoCallOptions = {}): Promise<void> {
    return this.#exclusive(`setting the default revision of ${key} to ${rev}`, opts.signal, async () => {
      const record = this.#find(key);
      checkRevision(rev);
      if (record.kind === 'dir') onlyLocal(record.id, rev);
      else await this.#mirrors.resolve(record.id, rev);
      const repos = this.#state.repos.map((r) => (r.id === record.id ? { ...r, defaultRevision: rev } : r));
      await this.#save({ ...this.#state, repos });
    });
  }

  /** Branches and tags as last fetched. A plain directory has the single branch `local`. */
  revisions(key: RepoKey): Promise<{ branches: string[]; tags: string[] }> {
    try {
      const record = this.#find(key);
      if (record.kind === 'dir') return Promise.resolve({ branches: [LOCAL], tags: [] });
      return Promise.resolve(revisionNames(this.#mirrors.refs(record.id)));
    } catch (err) {
      return Promise.reject(asRepoError(err));
    }
  }

  /**
   * The repository at `revision` (branch, tag or possibly abbreviated commit), or at its default revision
   * (configured → global default → master → main, first that exists). Unknown revision → RepoError naming it.
   */
  async snapshot(key: RepoKey, revision?: string): Promise<RepoSnapshot> {
    const r = this.#find(key);
    if (r.kind === 'dir') {
      if (revision !== undefined) onlyLocal(r.id, revision);
      return openSnapshot({ kind: 'dir', repoId: r.id, root: r.location });
    }
    const rev =
      revision ?? (await this.#mirrors.defaultRevision(r.id, r.defaultRevision, this.globalDefaultRevision));
    const commit = await this.#mirrors.resolve(r.id, rev);
    const gitDir = this.#mirrors.dir(r.id);
    return openSnapshot({ kind: 'git', repoId: r.id, revision: rev, commit, gitDir, cache: this.#cache });
  }

  /** `name`, `name@rev`, `<repo id>/workflows/<name>[.yaml][@rev]` (default repository when unqualified). */
  resolveWorkflowRef(ref: string): WorkflowRef {
    return parseWorkflowRef(ref, this.#ids(), this.#state.defaultRepo);
  }

  /** `name[@rev]` → same repository (and revision); `<repo id>/tasks/<name>[@rev]`. Unknown repo → RepoError. */
  resolveTaskRef(ref: string, current: { repoId: string; revision: string }): TaskRef {
    return parseTaskRef(ref, current, this.#ids(), (id) => this.#infoOf(id).defaultRevision);
  }

  #ids(): string[] {
    return this.#state.repos.map((r) => r.id);
  }

  #sorted(): RepoRecord[] {
    return [...this.#state.repos].sort(byId);
  }

  #find(key: RepoKey): RepoRecord {
    if (typeof key === 'number') {
      const r = this.#sorted()[key];
      if (r === undefined) throw new RepoError(`no repository at index ${key}`);
      return r;
    }
    const id = key.replace(/^\/+/, '').replace(/\/+$/, '');
    const r = this.#state.repos.find((x) => x.id === id || x.url === key);
    if (r === undefined) throw new RepoError(`unknown repository "${key}"`, { repo: key });
    return r;
  }

  #infoOf(id: string): RepoInfo {
    const sorted = this.#sorted();
    const index = sorted.findIndex((r) => r.id === id);
    const r = sorted[index];
    if (r === undefined) throw new RepoError(`unknown repository "${id}"`, { repo: id });
    return this.#info(r, index, false);
  }

  #info(r: RepoRecord, index: number, withRevisions: boolean): RepoInfo {
    const refs = this.#mirrors.refs(r.id);
    const isDir = r.kind === 'dir';
    const info: RepoInfo = {
      index,
      id: r.id,
      url: r.url,
      kind: r.kind,
      isDefault: this.#state.defaultRepo === r.id,
      defaultRevision: isDir ? LOCAL : effectiveDefault(r.defaultRevision, this.globalDefaultRevision, refs),
    };
    if (!withRevisions) return info;
    const names = revisionNames(refs);
    return { ...info, revisions: isDir ? [LOCAL] : [...names.branches, ...names.tags] };
  }

  async #save(next: RepoState): Promise<void> {
    await saveState(this.#stateFile, next);
    this.#state = next;
  }

  /**
   * Runs mutations one at a time, in call order. One whose `signal` aborted before its turn is dropped: it fails
   * at once (not when its turn comes) and never runs.
   */
  #exclusive<T>(what: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    let started = false;
    const start = (): Promise<T> => {
      started = true;
      return signal?.aborted === true ? Promise.reject(notApplied(what)) : fn();
    };
    const run = this.#queue.then(start, start);
    this.#queue = run.catch(() => undefined);
    if (signal === undefined) return run;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (!started) reject(notApplied(what));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

function byId(a: RepoRecord, b: RepoRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function onlyLocal(id: string, rev: string): void {
  if (rev !== LOCAL) {
    throw new RepoError(`plain directory ${id} has no revision "${rev}", only "${LOCAL}"`, { repo: id });
  }
}

/** The error of an operation dropped because its caller's deadline passed while it waited for its turn. */
function notApplied(what: string): RepoError {
  return new RepoError(
    `${what} was not applied: its deadline passed while it waited behind another repository operation`,
    { code: 'deadline_exceeded' },
  );
}

/** A revision that git could take for an option is refused. */
function checkRevision(rev: string): void {
  if (rev.trim() === '' || rev.startsWith('-') || /\s/.test(rev)) {
    throw new RepoError(`invalid revision "${rev}": it may not be empty, start with "-" or contain spaces`);
  }
}

/** A plain directory must be a template repository: it has a `workflows/` directory. */
function requireTemplateDir(dir: string, id: string): void {
  let ok: boolean;
  try {
    ok = statSync(join(dir, 'workflows')).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new RepoError(`directory ${dir} is not a template repository: it has no workflows/ directory`, {
      repo: id,
    });
  }
}

function asRepoError(err: unknown, repo?: string): RepoError {
  const e = err instanceof RepoError ? err : new RepoError(String(err), { cause: err });
  return repo === undefined ? e : e.withRepo(repo);
}
