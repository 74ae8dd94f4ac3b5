/**
 * Import and export of the AliECS YAML file layout (the `file://` backend's format: nested maps are the key tree,
 * `o2: {components: {readout: {ANY: {any: {entry: "..."}}}}}`) into and out of a ConfigStore.
 * @module
 */
import { stringify } from 'yaml';
import { ConfigError } from '../common/config-source.ts';
import { splitKey } from './key-tree.ts';
import type { KeyNode, KeyTree } from './key-tree.ts';
import { parseYamlTree } from './read-tree.ts';
import { ConfigStoreError } from './store.ts';
import type { ConfigStore } from './store.ts';

/**
 * Writes every leaf of the YAML document `yamlText` to `store` in one atomic putMany (scalars as their source text,
 * sequences as JSON, null as ""). Returns the number of keys written. Throws ConfigStoreError('invalid') when the
 * text does not parse or its top level is not a map; then nothing is written.
 */
export async function importTree(
  store: ConfigStore,
  yamlText: string,
  file = 'import.yaml',
): Promise<number> {
  let root: KeyNode;
  try {
    root = parseYamlTree(file, yamlText);
  } catch (e) {
    throw new ConfigStoreError('invalid', e instanceof ConfigError ? e.message : String(e));
  }
  if (!(root instanceof Map)) {
    throw new ConfigStoreError('invalid', `bad configuration file ${file}: the top level must be a map`);
  }
  const entries: Record<string, string> = Object.create(null) as Record<string, string>;
  flatten(root, [], entries);
  await store.putMany(entries);
  return Object.keys(entries).length;
}

/**
 * The keys under `prefix` as a YAML document in the same layout, rooted at the top (exporting `o2/hardware` gives
 * `o2: {hardware: {...}}`). Throws ConfigStoreError('invalid') naming the key when a key is both a value and a
 * directory (`a` and `a/b`), which the file layout cannot hold.
 */
export async function exportTree(store: ConfigStore, prefix = 'o2'): Promise<string> {
  const entries = await store.getRecursive(prefix);
  const tree: KeyTree = new Map();
  for (const [key, value] of entries) insert(tree, key, value);
  return tree.size === 0 ? '{}\n' : stringify(tree, { lineWidth: 0, minContentWidth: 0 });
}

function flatten(tree: KeyTree, path: readonly string[], out: Record<string, string>): void {
  for (const [name, node] of tree) {
    const segments = [...path, ...splitKey(name)];
    if (node instanceof Map) flatten(node, segments, out);
    else out[segments.join('/')] = node;
  }
}

function insert(tree: KeyTree, key: string, value: string): void {
  const segments = splitKey(key);
  const last = segments.pop();
  if (last === undefined) return;
  let dir = tree;
  for (const segment of segments) {
    const child: KeyNode = dir.get(segment) ?? new Map<string, KeyNode>();
    if (typeof child === 'string') throw conflict(key);
    dir.set(segment, child);
    dir = child;
  }
  if (dir.get(last) instanceof Map) throw conflict(key);
  dir.set(last, value);
}

function conflict(key: string): ConfigStoreError {
  return new ConfigStoreError(
    'invalid',
    `cannot export configuration key ${key}: a key is both a value and a directory, which YAML cannot hold`,
    key,
  );
}
