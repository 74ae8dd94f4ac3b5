/**
 * Opens the configuration the core and the CLI use, by URI: the embedded store (default, `embedded://<dir>`), etcd
 * (`etcd://host:port`), a remote Apricot (`apricot://host:port`) or an AliECS YAML file (`file:///path.yaml`). The
 * workflow engine reads a synchronous snapshot; with a store, the core also serves `apricot.Apricot` over it.
 */
import type { ConfigSource } from '../common/config-source.ts';
import { EmbeddedConfigStore, embeddedStoreDir } from '../config/embedded-store.ts';
import { openConfigSource } from '../config/open-config-source.ts';
import type { ConfigStore } from '../config/store.ts';
import { storeConfigSource } from '../config/store-config-source.ts';
import { importTree } from '../config/apricot-tree.ts';
import { readConfigFile } from '../config/read-tree.ts';
import { apricotConfigSource } from './apricot-client.ts';

export interface Configuration {
  readonly source: ConfigSource;
  /** Present for stores the core owns (embedded, etcd): it then serves Apricot over it. */
  readonly store?: ConfigStore;
  close(): Promise<void>;
}

/** Opens `uri` (undefined = the embedded store of `stateDir`); waits until the first snapshot is loaded. */
export async function openConfiguration(uri: string | undefined, stateDir: string): Promise<Configuration> {
  const u = uri ?? `embedded://${embeddedStoreDir(stateDir)}`;
  if (u.startsWith('apricot://')) {
    const source = apricotConfigSource(u);
    await source.ready;
    return { source, close: () => Promise.resolve(source.close()) };
  }
  if (u.startsWith('embedded://') || u.startsWith('etcd://')) {
    // The etcd client (gRPC, protobufjs) loads only for etcd:// stores.
    const store: ConfigStore = u.startsWith('etcd://')
      ? new (await import('../config/etcd-store.ts')).EtcdConfigStore(u)
      : new EmbeddedConfigStore(u.slice('embedded://'.length));
    const source = storeConfigSource(store);
    await source.ready;
    return {
      source,
      store,
      close: async () => {
        source.close();
        await store.close();
      },
    };
  }
  const source = openConfigSource(u);
  return { source, close: () => Promise.resolve() };
}

/** Imports an AliECS-layout YAML file into `store` when the store holds no `o2/` key yet (first start). */
export async function seedStore(store: ConfigStore, yamlFile: string): Promise<boolean> {
  if ((await store.list('o2')).length > 0) return false;
  await importTree(store, readConfigFile(yamlFile));
  return true;
}
