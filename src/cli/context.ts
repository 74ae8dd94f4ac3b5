/**
 * What every command needs: the state directory, output mode, repositories and the configuration source. Repositories,
 * configuration stores and the JIT service load their modules on first use, so commands that need none of them (such
 * as `env list`) start without git, etcd or YAML code.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { ConfigSource } from '../common/config-source.ts';
import type { RepoInfo, RepoManager } from '../repos/repo-manager.ts';
import type { JitService } from '../workflow/jit.ts';
import { stateDirFrom } from './state-dir.ts';

export interface GlobalFlags {
  readonly stateDir?: string;
  readonly json?: boolean;
}

export class CliContext {
  readonly stateDir: string;
  readonly json: boolean;
  #repos: Promise<RepoManager> | undefined;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(flags: GlobalFlags) {
    this.stateDir = stateDirFrom(flags.stateDir);
    this.json = flags.json === true;
  }

  repos(): Promise<RepoManager> {
    return (this.#repos ??= import('../repos/repo-manager.ts').then(({ RepoManager }) =>
      RepoManager.open({ stateDir: this.stateDir }),
    ));
  }

  /** The repository registered with this URL or path, registering it on first use. */
  async ensureRepo(source: string): Promise<RepoInfo> {
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
    return repos.add(source.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : abs);
  }

  /** The configuration named by `uri` (file://, embedded://, etcd://, apricot://); closed when the command ends. */
  async config(uri: string | undefined): Promise<ConfigSource | undefined> {
    if (uri === undefined) return undefined;
    const { openConfiguration } = await import('../server/configuration.ts');
    const c = await openConfiguration(uri, this.stateDir);
    this.closers.push(() => c.close());
    return c.source;
  }

  /** Releases what the command opened (store connections, polling remote sources). */
  async close(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((f) => f()));
  }

  async jit(config: ConfigSource | undefined): Promise<JitService> {
    const { JitService } = await import('../workflow/jit.ts');
    const cacheDir = join(this.stateDir, 'jit');
    mkdirSync(cacheDir, { recursive: true });
    return new JitService({ cacheDir, ...(config !== undefined ? { config } : {}) });
  }
}
