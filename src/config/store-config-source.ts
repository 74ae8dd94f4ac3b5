/**
 * A synchronous ConfigSource (what the workflow engine reads) over a cached snapshot of the `o2/` tree of a
 * ConfigStore or of a remote Apricot service. The snapshot is refreshed when the store reports a change (or by
 * polling a remote service); when a refresh fails the last snapshot keeps serving and the source says so
 * (`stale` and `staleMessage`).
 * @module
 */
import type { ConfigSource } from '../common/config-source.ts';
import { hostPort } from './apricot-service.ts';
import { treeFromEntries } from './apricot-tree.ts';
import { FileConfigSource } from './file-source.ts';
import type { FileSourceOptions } from './file-source.ts';
import type { KeyTree } from './key-tree.ts';
import { parseJsonTree } from './read-tree.ts';
import type { ConfigStore } from './store.ts';

/** Where snapshots come from and where runtime entries go. */
export interface SnapshotBackend {
  readonly uri: string;
  /** The whole tree, `o2` at its root. */
  load(): Promise<KeyTree>;
  setRuntimeEntry(component: string, key: string, value: string): Promise<void>;
  /** Calls `refresh` whenever the snapshot may be out of date; returns the stop function. */
  subscribe(refresh: () => void): () => void;
}

/** ConfigSource over the latest snapshot of a backend; lookups never wait. */
export class SnapshotConfigSource implements ConfigSource {
  readonly uri: string;
  /** Resolves after the first load (rejects if it failed: the source then serves an empty tree). */
  readonly ready: Promise<void>;
  private inner: FileConfigSource;
  private stopped = false;
  private failure: string | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly backend: SnapshotBackend,
    private readonly options: FileSourceOptions = {},
  ) {
    this.uri = backend.uri;
    this.inner = new FileConfigSource(new Map(), this.uri, options);
    this.ready = this.refresh();
    this.unsubscribe = backend.subscribe(() => void this.refresh().catch(() => undefined));
  }

  /** True when the last refresh or runtime write failed: lookups answer from the cached tree. */
  get stale(): boolean {
    return this.failure !== undefined;
  }

  /** Why the source is stale, e.g. `configuration etcd://… unreachable, serving the cached tree: …`. */
  get staleMessage(): string | undefined {
    return this.failure;
  }

  /** Reloads the snapshot; concurrent calls coalesce into one more load. Rejects when the load failed. */
  refresh(): Promise<void> {
    if (this.loading !== undefined) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.loadOnce().finally(() => {
      this.loading = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.refresh().catch(() => undefined);
      }
    });
    return this.loading;
  }

  close(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  getDefaults(): Record<string, string> {
    const { host, port } = hostPort(this.uri);
    return {
      ...this.inner.getDefaults(),
      consul_hostname: host,
      consul_port: port,
      consul_endpoint: host === '' ? '' : `${host}:${port}`,
    };
  }

  getVars = (): Record<string, string> => this.inner.getVars();
  getComponentConfiguration = (path: string, process: boolean, varStack: Readonly<Record<string, string>>) =>
    this.inner.getComponentConfiguration(path, process, varStack);
  resolveComponentQuery = (component: string, runType: string, role: string, entry: string) =>
    this.inner.resolveComponentQuery(component, runType, role, entry);
  detectorForHost = (host: string): string => this.inner.detectorForHost(host);
  listDetectors = (getAll = false): string[] => this.inner.listDetectors(getAll);
  detectorsForHosts = (hosts: readonly string[]): string[] => this.inner.detectorsForHosts(hosts);
  cruCardsForHost = (host: string): string[] => this.inner.cruCardsForHost(host);
  endpointsForCruCard = (host: string, serial: string): string[] =>
    this.inner.endpointsForCruCard(host, serial);
  getRuntimeEntry = (component: string, key: string): string => this.inner.getRuntimeEntry(component, key);

  /** Visible at once in this source; written through to the backend (a failure marks the source stale). */
  setRuntimeEntry(component: string, key: string, value: string): void {
    this.inner.setRuntimeEntry(component, key, value);
    this.backend.setRuntimeEntry(component, key, value).catch((e: unknown) => {
      this.failure = `configuration ${this.uri}: runtime entry ${component}/${key} not saved: ${text(e)}`;
    });
  }

  private async loadOnce(): Promise<void> {
    try {
      const tree = await this.backend.load();
      this.inner = new FileConfigSource(tree, this.uri, this.options);
      this.failure = undefined;
    } catch (e) {
      this.failure = `configuration ${this.uri} unreachable, serving the cached tree: ${text(e)}`;
      throw e;
    }
  }
}

/** A source over `store` (embedded or etcd), refreshed on the store's watch of `o2`. */
export function storeConfigSource(store: ConfigStore, options: FileSourceOptions = {}): SnapshotConfigSource {
  return new SnapshotConfigSource(
    {
      uri: store.uri,
      load: async () => treeFromEntries(await store.getRecursive('o2')),
      setRuntimeEntry: (component, key, value) => store.put(`o2/runtime/${component}/${key}`, value),
      subscribe: (refresh) => store.watch('o2', () => refresh()),
    },
    options,
  );
}

/** What a remote source needs from an Apricot client: RawGetRecursive('o2') and SetRuntimeEntry. */
export interface RemoteApricot {
  readonly uri: string;
  rawGetRecursive(path: string): Promise<string>;
  setRuntimeEntry(component: string, key: string, value: string): Promise<void>;
}

/** A source over a remote Apricot service, polled every `pollMs` (default 2 s). */
export function remoteConfigSource(
  remote: RemoteApricot,
  pollMs = 2_000,
  options: FileSourceOptions = {},
): SnapshotConfigSource {
  return new SnapshotConfigSource(
    {
      uri: remote.uri,
      load: async () => {
        const o2 = parseJsonTree(remote.uri, await remote.rawGetRecursive('o2'));
        return new Map([['o2', o2]]);
      },
      setRuntimeEntry: (c, k, v) => remote.setRuntimeEntry(c, k, v),
      subscribe: (refresh) => {
        const timer = setInterval(refresh, pollMs);
        timer.unref();
        return () => clearInterval(timer);
      },
    },
    options,
  );
}

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
