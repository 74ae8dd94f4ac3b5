/**
 * Which repository and configuration `axle workflow plan|explain|lint` use when the user names none: the running
 * core's (its default repository, its configuration served as `apricot://` on `--endpoint`) when a core answers,
 * else the state directory's default repository and the example configuration, else the example repository.
 * A `--repo` is used for that command only: it never becomes the default repository. Every choice made for the
 * user is told (one line on stderr, or `sources` in --json).
 */
import { existsSync } from 'node:fs';
import { apricotConfigSource } from '../server/apricot-client.ts';
import type { ConfigSource } from '../common/config-source.ts';
import { EXAMPLE_CONFIG } from './context.ts';
import type { CliContext } from './context.ts';
import { controlClient } from './control-client.ts';

/** A repository fetched less than this long ago is not fetched again before planning (unless `--refresh`). */
export const REPO_FRESH_MS = 60_000;

/** Time the core gets to answer before the CLI goes on without it. */
const CORE_PROBE_MS = 3_000;

/** One choice: what was used and why. */
export interface SourceChoice {
  readonly used: string;
  readonly origin: 'given' | 'core' | 'default' | 'example';
  readonly why: string;
}

export interface WorkflowSources {
  /** The repository id to plan from; undefined when the workflow reference names its repository. */
  readonly repoId?: string;
  readonly config?: ConfigSource;
  readonly repository?: SourceChoice;
  readonly configuration?: SourceChoice;
}

interface CoreView {
  readonly endpoint: string;
  /** The core's default repository (its id), if any. */
  readonly defaultRepo?: string;
}

export interface SourceFlags {
  readonly repo?: string;
  readonly config?: string;
  /** Fetch the repository even when it was fetched less than REPO_FRESH_MS ago. */
  readonly refresh?: boolean;
}

/** Resolves the repository (unless `qualified`) and, when `withConfig`, the configuration. */
export async function workflowSources(
  ctx: CliContext,
  flags: SourceFlags,
  o: { readonly qualified: boolean; readonly withConfig: boolean },
): Promise<WorkflowSources> {
  let core: Promise<CoreView | undefined> | undefined;
  const probe = (): Promise<CoreView | undefined> => (core ??= probeCore(ctx.endpoint));
  const fetch = flags.refresh === true ? {} : { maxAgeMs: REPO_FRESH_MS };
  const repo = o.qualified ? undefined : await chooseRepo(ctx, flags.repo, probe, fetch);
  const config = o.withConfig ? await chooseConfig(ctx, flags.config, probe) : undefined;
  return {
    ...(repo !== undefined ? { repoId: repo.id, repository: repo.choice } : {}),
    ...(config !== undefined ? { config: config.source, configuration: config.choice } : {}),
  };
}

/** The line telling what was chosen for the user (undefined when the user named everything). */
export function sourcesLine(s: WorkflowSources): string | undefined {
  const told = [
    s.repository?.origin === 'given' ? undefined : s.repository,
    s.configuration?.origin === 'given' ? undefined : s.configuration,
  ].filter((c) => c !== undefined);
  if (told.length === 0) return undefined;
  const parts = told.map(
    (c) => `${c === s.repository ? 'repository' : 'configuration'} ${c.used} (${c.why})`,
  );
  return `axle: using ${parts.join('; ')}`;
}

async function probeCore(endpoint: string): Promise<CoreView | undefined> {
  try {
    const r = await controlClient(endpoint).listRepos({}, { timeoutMs: CORE_PROBE_MS });
    const def = r.repos.find((x) => x.default)?.name;
    return { endpoint, ...(def !== undefined ? { defaultRepo: def } : {}) };
  } catch {
    return undefined;
  }
}

async function chooseRepo(
  ctx: CliContext,
  flag: string | undefined,
  core: () => Promise<CoreView | undefined>,
  fetch: { readonly maxAgeMs?: number },
): Promise<{ id: string; choice: SourceChoice }> {
  const pick = (id: string, origin: SourceChoice['origin'], why: string) => ({
    id,
    choice: { used: id, origin, why },
  });
  if (flag !== undefined)
    return pick((await ctx.ensureRepo(flag, { oneOff: true, ...fetch })).id, 'given', '--repo');
  const view = await core();
  const address = view?.defaultRepo === undefined ? undefined : addressOf(view.defaultRepo);
  if (view !== undefined && address !== undefined) {
    const info = await ctx.ensureRepo(address, { oneOff: true, ...fetch });
    return pick(info.id, 'core', `the default repository of the core at ${view.endpoint}`);
  }
  const local = (await ctx.repos()).defaultRepoId;
  if (local !== undefined) return pick(local, 'default', `the default repository of ${ctx.stateDir}`);
  const why =
    view === undefined
      ? `no default repository and no core at ${ctx.endpoint}`
      : `no default repository, here or in the core at ${view.endpoint}`;
  return pick((await ctx.exampleRepo()).id, 'example', `the example repository: ${why}; choose with --repo`);
}

/** Where this machine reaches a repository the core names by id: a local path when it exists, else a URL. */
function addressOf(id: string): string | undefined {
  if (id.startsWith('/')) return id;
  const path = `/${id}`;
  if (existsSync(path)) return path;
  return /^[^/]+\.[^/]+\//.test(id) ? `https://${id}` : undefined;
}

async function chooseConfig(
  ctx: CliContext,
  flag: string | undefined,
  core: () => Promise<CoreView | undefined>,
): Promise<{ source: ConfigSource; choice: SourceChoice }> {
  if (flag !== undefined) {
    const source = await ctx.config(flag);
    if (source === undefined) throw new Error(`--config ${flag}: no configuration`);
    return { source, choice: { used: flag, origin: 'given', why: '--config' } };
  }
  const view = await core();
  let why = `no core at ${ctx.endpoint}`;
  if (view !== undefined) {
    const uri = /^https?:\/\//.test(view.endpoint)
      ? `apricot://${view.endpoint.replace(/^https?:\/\//, '').replace(/\/$/, '')}`
      : `apricot://${view.endpoint}`;
    const source = apricotConfigSource(uri, 2_000, CORE_PROBE_MS);
    try {
      await source.ready;
      ctx.onClose(() => source.close());
      return { source, choice: { used: uri, origin: 'core', why: "the running core's" } };
    } catch (e: unknown) {
      source.close();
      why = `the core at ${view.endpoint} serves no configuration: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const uri = `file://${EXAMPLE_CONFIG}`;
  const source = await ctx.config(uri);
  if (source === undefined) throw new Error(`${uri}: no configuration`);
  return { source, choice: { used: uri, origin: 'example', why: `the example configuration: ${why}` } };
}
