/**
 * The configuration key tree held in memory: `/`-separated keys address nested maps whose leaves are strings,
 * like Consul's KV layout (`o2/runtime/aliecs/defaults/foo`).
 * @module
 */
import { ConfigError } from '../common/config-source.ts';

/** A leaf payload or a "directory". */
export type KeyNode = string | KeyTree;
/** A directory: child name → node, in document order. */
export type KeyTree = Map<string, KeyNode>;

/** Key segments; empty segments (leading, trailing or doubled `/`) are ignored, as Consul trims them. */
export function splitKey(key: string): string[] {
  return key.split('/').filter((s) => s !== '');
}

/** The node at `key`, or undefined when any segment is missing or a leaf is in the way. */
export function lookupNode(tree: KeyTree, key: string): KeyNode | undefined {
  let node: KeyNode = tree;
  for (const segment of splitKey(key)) {
    if (typeof node === 'string') return undefined;
    const child: KeyNode | undefined = node.get(segment);
    if (child === undefined) return undefined;
    node = child;
  }
  return node;
}

/** The string at `key`, or undefined when absent or a directory. */
export function lookupValue(tree: KeyTree, key: string): string | undefined {
  const node = lookupNode(tree, key);
  return typeof node === 'string' ? node : undefined;
}

/** The string at `key`; throws ConfigError naming the key when absent or a directory. */
export function readValue(tree: KeyTree, key: string, what = 'value'): string {
  const node = lookupNode(tree, key);
  if (node === undefined) throw new ConfigError(`no ${what} at configuration key ${key}`, key);
  if (typeof node !== 'string') {
    throw new ConfigError(`found a map at configuration key ${key} but a string was expected`, key);
  }
  return node;
}

/** The directory at `key`, or undefined when absent or a leaf. */
export function lookupDirectory(tree: KeyTree, key: string): KeyTree | undefined {
  const node = lookupNode(tree, key);
  return node instanceof Map ? node : undefined;
}

/** Direct string children of the directory at `key` (sub-directories skipped); `{}` when absent. */
export function stringChildren(tree: KeyTree, key: string, trim: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, node] of lookupDirectory(tree, key) ?? []) {
    if (typeof node === 'string') out[name] = trim ? node.trim() : node;
  }
  return out;
}

/** Stores `value` at `key`, creating directories; throws ConfigError when a leaf is in the way. */
export function writeValue(tree: KeyTree, key: string, value: string): void {
  const segments = splitKey(key);
  const last = segments.pop();
  if (last === undefined) throw new ConfigError('cannot write an empty configuration key', key);
  let dir = tree;
  for (const segment of segments) {
    const child = dir.get(segment) ?? new Map<string, KeyNode>();
    if (typeof child === 'string') {
      throw new ConfigError(`cannot write configuration key ${key}: ${segment} holds a value`, key);
    }
    dir.set(segment, child);
    dir = child;
  }
  if (dir.get(last) instanceof Map) {
    throw new ConfigError(`cannot write configuration key ${key}: it is a map`, key);
  }
  dir.set(last, value);
}
