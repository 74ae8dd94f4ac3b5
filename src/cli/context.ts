/** What every command needs: the state directory, output mode, repositories and the configuration source. */
import { join } from 'node:path';
import { mkdirPrivate } from '../agent/private-files.ts';
import type { ConfigSource } from '../common/config-source.ts';
import { openConfiguration } from '../server/configuration.ts';
import { RepoManager } from '../repos/repo-manager.ts';
import type { RepoInfo } from '../repos/repo-manager.ts';
import { JitService } from '../workflow/jit.ts';
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
    return (this.#repos ??= RepoManager.open({ stateDir: this.stateDir }));
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
    const c = await openConfiguration(uri, this.stateDir);
    this.closers.push(() => c.close());
    return c.source;
  }

  /** Releases what the command opened (store connections, polling remote sources). */
  async close(): Promise<void> {
    await Promise.all(this.closers.splice(0).map((f) => f()));
  }

  jit(config: ConfigSource | undefined): JitService {
    const cacheDir = join(this.stateDir, 'jit');
    mkdirPrivate(cacheDir);
    return new JitService({ cacheDir, ...(config !== undefined ? { config } : {}) });
  }
}
