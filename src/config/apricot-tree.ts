/**
 * Conversions between the store's flat keys and the nested key tree: a tree is flattened to `a/b/c → value`
 * entries (an empty map becomes an empty value, so `flps: {flp002: {}}` survives), and store entries are
 * rebuilt into a tree (an empty value that has children becomes a map).
 * @module
 */
import { splitKey } from './key-tree.ts';
import type { KeyNode, KeyTree } from './key-tree.ts';
import type { ConfigStore } from './store.ts';

/** Every leaf of `tree` as `prefix/…/leaf → value`; empty maps become `''` leaves. */
export function flattenTree(tree: KeyTree, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: KeyNode, key: string): void => {
    if (typeof node === 'string' || node.size === 0) {
      if (key !== '') out[key] = typeof node === 'string' ? node : '';
      return;
    }
    for (const [name, child] of node) walk(child, key === '' ? name : `${key}/${name}`);
  };
  walk(tree, splitKey(prefix).join('/'));
  return out;
}

/**
 * The tree of `entries` (full keys) below `base`: keys outside `base` are skipped; a leaf in the way of a deeper
 * key becomes a map (its value is dropped, as a Consul "directory" key has no payload).
 */
export function treeFromEntries(entries: ReadonlyMap<string, string>, base = ''): KeyTree {
  const root: KeyTree = new Map();
  const baseSegments = splitKey(base);
  for (const [key, value] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const segments = splitKey(key);
    if (!baseSegments.every((s, i) => segments[i] === s)) continue;
    insert(root, segments.slice(baseSegments.length), value);
  }
  return root;
}

function insert(root: KeyTree, segments: readonly string[], value: string): void {
  const last = segments.at(-1);
  if (last === undefined) return;
  let dir = root;
  for (const segment of segments.slice(0, -1)) {
    const child = dir.get(segment);
    const next = child instanceof Map ? child : new Map<string, KeyNode>();
    dir.set(segment, next);
    dir = next;
  }
  if (!(dir.get(last) instanceof Map)) dir.set(last, value);
}

/** Plain JSON-ready value of a node: maps become objects, leaves stay strings. */
export function treeToPlain(node: KeyNode): unknown {
  if (typeof node === 'string') return node;
  return Object.fromEntries([...node].map(([k, v]) => [k, treeToPlain(v)]));
}

/** Writes every leaf of `tree` into `store` in one atomic putMany (AliECS YAML import). */
export async function importTree(store: ConfigStore, tree: KeyTree): Promise<number> {
  const entries = flattenTree(tree);
  await store.putMany(entries);
  return Object.keys(entries).length;
}
