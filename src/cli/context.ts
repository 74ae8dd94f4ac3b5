/**
 * What every command needs: the state directory, output mode, repositories and the configuration source. Repositories,
 * configuration stores and the JIT service load their modules on first use, so commands that need none of them (such
 * as `env list`) start without git, etcd or YAML code.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdirPrivate } from '../agent/private-files.ts';
import type { ConfigSource } from '../common/config-source.ts';
import type { RepoInfo, RepoManager } from '../repos/repo-manager.ts';
import type { JitService } from '../workflow/jit.ts';
import { DEFAULT_ENDPOINT } from './control-client.ts';
import { stateDirFrom } from './state-dir.ts';

/** The checkout: examples/ (templates, configuration) and scripts/. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The example configuration (AliECS layout) shipped with Axle. */
export const EXAMPLE_CONFIG = join(ROOT, 'examples', 'config.yaml');

export interface GlobalFlags {
  readonly stateDir?: string;
  readonly json?: boolean;
  /** The core's control API (`--endpoint`). */
  readonly endpoint?: string;
}

/** Makes the context of one command run (main closes it when the command ends). */
export type ContextFactory = (flags: GlobalFlags) => CliContext;

/** A context factory that adds every context it makes to `contexts`. */
export function contextFactory(contexts: CliContext[]): ContextFactory {
  return (flags) => {
    const c = new CliContext(flags);
    contexts.push(c);
    return c;
  };
}

export class CliContext {
  readonly stateDir: string;
  readonly json: boolean;
  readonly endpoint: string;
  #repos: Promise<RepoManager> | undefined;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(flags: GlobalFlags) {
    this.stateDir = stateDirFrom(flags.stateDir);
    this.json = flags.json === true;
    this.endpoint = flags.endpoint ?? DEFAULT_ENDPOINT;
  }

  repos(): Promise<RepoManager> {
    return (this.#repos ??= import('../repos/repo-manager.ts').then(({ RepoManager }) =>
      RepoManager.open({ stateDir: this.stateDir }),
    ));
  }

  /**
   * The repository registered with this URL or path, registering it on first use; with `oneOff` a new registration
   * does not become the default repository (a repository named for one command only).
   */
  async ensureRepo(source: string, opts: { oneOff?: boolean } = {}): Promise<RepoInfo> {
    const repos = await this.repos();
    const abs =
      /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.includes('@')
        ? source
        : join(process.cwd(), source).replace(/\/$/, '');
    const known = repos.list().find((r) => r.url === source || r.url === abs || r.id === source);
    if (known !== undefined) {
      if (known.kind === 'git') await repos.refresh(known.id);
      return known;
    }
    const address = source.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : abs;
    return repos.add(address, opts.oneOff === true ? { oneOff: true } : {});
  }

  /**
   * The example template repository: a git repository under the state directory kept equal to examples/templates
   * (scripts/example-repo.sh), registered on first use without becoming the default.
   */
  async exampleRepo(): Promise<RepoInfo> {
    const dir = execFileSync('bash', [join(ROOT, 'scripts', 'example-repo.sh')], {
      env: { ...process.env, AXLE_STATE_DIR: this.stateDir },
      encoding: 'utf8',
    }).trim();
    return this.ensureRepo(dir, { oneOff: true });
  }

  /** The configuration named by `uri` (file://, embedded://, etcd://, apricot://); closed when the command ends. */
  async config(uri: string | undefined): Promise<ConfigSource | undefined> {
    if (uri === undefined) return undefined;
    const { openConfiguration } = await import('../server/configuration.ts');
    const c = await openConfiguration(uri, this.stateDir);
    this.closers.push(() => c.close());
    return c.source;
  }

  /** Runs `f` when the command ends (after its output). */
  onClose(f: () => void | Promise<void>): void {
    this.closers.push(async () => {
      await f();
    });
  }

  /** Releases what the command opened (store connections, polling remote sources). */
  async close(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((f) => f()));
  }

  async jit(config: ConfigSource | undefined): Promise<JitService> {
    const { JitService } = await import('../workflow/jit.ts');
    const cacheDir = join(this.stateDir, 'jit');
    mkdirPrivate(cacheDir);
    return new JitService({ cacheDir, ...(config !== undefined ? { config } : {}) });
  }
}
