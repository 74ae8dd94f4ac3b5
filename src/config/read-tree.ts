/**
 * Loading an AliECS configuration file (YAML or JSON) into a key tree. Every scalar becomes its text, as the Go
 * backend stores them: YAML plain scalars keep their source text (`1.0` stays "1.0"), null becomes "", and a
 * sequence becomes its JSON text.
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError } from '../common/config-source.ts';
import { formatIssue } from '../common/issue.ts';
import { parseYamlFile, toPlain } from '../template/yaml-tree.ts';
import type { YNode } from '../template/yaml-tree.ts';
import type { KeyNode, KeyTree } from './key-tree.ts';

/** File extensions accepted by {@link readConfigFile}. */
export const CONFIG_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/**
 * Reads `path` synchronously; `.json` is parsed as JSON, `.yaml`/`.yml` as YAML. Throws ConfigError (key = path)
 * when the file cannot be read, does not parse, has another extension or its top level is not a map.
 */
export function readConfigFile(path: string): KeyTree {
  const ext = extname(path).toLowerCase();
  if (!(CONFIG_FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ConfigError(`unsupported configuration file type "${ext}" (want .yaml, .yml or .json)`, path);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read configuration file ${path}: ${errorText(e)}`, path);
  }
  const tree = ext === '.json' ? parseJsonTree(path, text) : parseYamlTree(path, text);
  if (!(tree instanceof Map)) {
    throw new ConfigError(`bad configuration file ${path}: the top level must be a map`, path);
  }
  return tree;
}

/** Parses YAML text into a key node; throws ConfigError with the first syntax error and its line. */
export function parseYamlTree(file: string, text: string): KeyNode {
  const parsed = parseYamlFile(file, text);
  const error = parsed.issues.find((i) => i.severity === 'error');
  if (error !== undefined) throw new ConfigError(`bad configuration file ${formatIssue(error)}`, file);
  return parsed.root === undefined ? new Map() : fromYaml(parsed.root);
}

/** Parses JSON text into a key node; throws ConfigError on a syntax error. */
export function parseJsonTree(file: string, text: string): KeyNode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`bad configuration file ${file}: ${errorText(e)}`, file);
  }
  return fromJson(value);
}

function fromYaml(node: YNode): KeyNode {
  switch (node.kind) {
    case 'scalar':
      return node.text;
    case 'seq':
      return JSON.stringify(toPlain(node));
    case 'map':
      return new Map(node.entries.map((e) => [e.key, fromYaml(e.value)]));
  }
}

function fromJson(value: unknown): KeyNode {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, v]) => [k, fromJson(v)]));
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' ? value : '';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
