/** Test helpers: a memory store filled from a YAML tree, and a running Apricot server over it. */
import { join } from 'node:path';
import { importTree } from '../config/apricot-tree.ts';
import { MemoryConfigStore } from '../config/memory-store.ts';
import { readConfigFile } from '../config/read-tree.ts';
import { startApricot } from './apricot-server.ts';
import type { RunningApricot } from './apricot-server.ts';

export const APRICOT_FIXTURE = join(import.meta.dirname, 'testdata', 'apricot.yaml');

/** A memory store holding the tree of `file` (default: the Apricot test fixture). */
export async function fixtureStore(file = APRICOT_FIXTURE, uri?: string): Promise<MemoryConfigStore> {
  const store = new MemoryConfigStore({}, uri);
  await importTree(store, readConfigFile(file));
  return store;
}

/** startApricot on free ports over `store`. */
export function startTestApricot(store: MemoryConfigStore): Promise<RunningApricot> {
  return startApricot({ store, port: 0, httpPort: 0, hostname: 'core-host', newUid: () => 'UID1' });
}
