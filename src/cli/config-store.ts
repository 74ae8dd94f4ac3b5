/**
 * Opening a ConfigStore from a URI for `axle config serve`, `import-tree` and `export-tree`: `embedded://<dir>`,
 * `etcd://host:port`, `memory://` and `file:///x.yaml` (loaded into memory).
 */
import { resolve } from 'node:path';
import { importTree } from '../config/apricot-tree.ts';
import { EmbeddedConfigStore, embeddedStoreDir } from '../config/embedded-store.ts';
import { EtcdConfigStore } from '../config/etcd-store.ts';
import { MemoryConfigStore } from '../config/memory-store.ts';
import { readConfigFile } from '../config/read-tree.ts';
import type { ConfigStore } from '../config/store.ts';

/** Thrown for a store URI this build cannot open. */
export class ConfigStoreUriError extends Error {
  override readonly name = 'ConfigStoreUriError';
}

/** The default store: the embedded store in the state directory. */
export function defaultStoreUri(stateDir: string): string {
  return `embedded://${embeddedStoreDir(stateDir)}`;
}

/**
 * `embedded://<dir>`, `etcd://host:port[,host:port]`, `memory://` (empty, in memory) or
 * `file:///path.yaml|.yml|.json` (the file loaded into memory; writes are not saved to it).
 */
export async function openStore(uri: string): Promise<ConfigStore> {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(uri.trim());
  const scheme = m?.[1]?.toLowerCase();
  if (scheme === 'embedded') return new EmbeddedConfigStore(m?.[2] ?? '');
  if (scheme === 'etcd') return new EtcdConfigStore(uri.trim());
  if (scheme === 'memory') return new MemoryConfigStore({}, 'memory://');
  if (scheme === 'file' || scheme === undefined) {
    const path = resolve(m?.[2] ?? uri.trim());
    const store = new MemoryConfigStore({}, `file://${path}`);
    await importTree(store, readConfigFile(path));
    return store;
  }
  throw new ConfigStoreUriError(
    `configuration store "${uri}" is not supported (use embedded://, etcd://, memory:// or file://)`,
  );
}
