/**
 * YAML documents as a small position-aware tree. Scalars keep their source text (as AliECS's Go loader does:
 * `10000000000` stays "10000000000", `1.0` stays "1.0"); tags such as `!public` are kept; every node knows its
 * YAML path (`roles[3].task.load`) and 1-based line, so later stages can report problems where they are.
 */
import { Composer, LineCounter, Parser, YAMLParseError, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { CST, Document, Node as YamlNode, ParsedNode } from 'yaml';
import { issue } from '../common/issue.ts';
import { cachedYamlParse } from './yaml-cache.ts';
import type { Issue } from '../common/issue.ts';

interface NodeBase {
  /** YAML path from the document root, e.g. `roles[0].vars.detector`; '' for the root. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** Explicit tag such as `!public`, if any. */
  readonly tag?: string;
}

export interface YScalar extends NodeBase {
  readonly kind: 'scalar';
  /** Source text for plain scalars, the decoded value for quoted and block scalars; '' for null. */
  readonly text: string;
  readonly isNull: boolean;
}

export interface YEntry {
  readonly key: string;
  readonly value: YNode;
}

export interface YMap extends NodeBase {
  readonly kind: 'map';
  readonly entries: readonly YEntry[];
}

export interface YSeq extends NodeBase {
  readonly kind: 'seq';
  readonly items: readonly YNode[];
}

export type YNode = YScalar | YMap | YSeq;

/** A parsed file: its tree (absent when the YAML cannot be read at all) and every syntax problem found. */
export interface YamlFile {
  readonly file: string;
  readonly root: YNode | undefined;
  readonly issues: readonly Issue[];
}

const PASS_THROUGH_TAGS = [
  { tag: '!public', collection: 'map' as const, resolve: <T>(v: T): T => v },
  { tag: '!public', resolve: (v: string): string => v },
];

/** Deepest nesting of collections a YAML file may have; deeper files get a too_deeply_nested issue. */
export const MAX_YAML_DEPTH = 256;

/**
 * Parses YAML text; never throws (nesting beyond `maxDepth` is a located issue, not a stack overflow).
 * The text is tokenised once: the depth check and the document are both built from the same syntax tree.
 */
export function parseYamlFile(file: string, text: string, maxDepth = MAX_YAML_DEPTH): YamlFile {
  return cachedYamlParse(file, text, maxDepth, () => parseText(file, text, maxDepth));
}

function parseText(file: string, text: string, maxDepth: number): YamlFile {
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = tooDeep(tokens, maxDepth);
  if (deep !== undefined) {
    const line = lineCounter.linePos(deep.offset).line;
    const message = `YAML is nested more than ${maxDepth} levels deep`;
    return {
      file,
      root: undefined,
      issues: [issue('too_deeply_nested', message, { file, path: deep.path, line })],
    };
  }
  const doc = compose(tokens, text.length);
  const issues: Issue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = lineCounter.linePos(e.pos[0]);
    issues.push(
      issue(
        'yaml_syntax',
        firstLine(e.message),
        { file, line: pos.line, column: pos.col },
        doc.errors.includes(e) ? 'error' : 'warning',
      ),
    );
  }
  if (doc.errors.length > 0) return { file, root: undefined, issues };
  const root = doc.contents === null ? undefined : convert(doc.contents, '', lineCounter, file, issues);
  return { file, root, issues };
}

interface Pending {
  readonly token: CST.Token | undefined;
  readonly depth: number;
  readonly path: string;
}

/**
 * The first collection nested deeper than `max`, found on the concrete syntax tree (the parser is iterative) with an
 * explicit stack, so that nothing here recurses over the document's depth.
 */
function tooDeep(tokens: readonly CST.Token[], max: number): { offset: number; path: string } | undefined {
  const stack: Pending[] = [];
  for (const token of tokens) stack.push({ token, depth: 0, path: '' });
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth, path } = next;
    if (token === undefined) continue;
    if (token.type === 'document') stack.push({ token: token.value, depth, path });
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth + 1 > max) return { offset: token.offset, path };
    let index = 0;
    for (const item of token.items) {
      const key = 'key' in item ? keyText(item.key) : undefined;
      const at = key === undefined ? `${path}[${index++}]` : path === '' ? key : `${path}.${key}`;
      if ('key' in item && item.key !== undefined && item.key !== null)
        stack.push({ token: item.key, depth: depth + 1, path: at });
      stack.push({ token: item.value, depth: depth + 1, path: at });
    }
  }
  return undefined;
}

/** The first document of the token stream (a second one is an error), as `parseDocument` of the yaml package. */
function compose(tokens: readonly CST.Token[], length: number): Document.Parsed {
  const composer = new Composer({ customTags: PASS_THROUGH_TAGS });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (doc === undefined) doc = next;
    else {
      const message = 'Source contains multiple documents; please use YAML.parseAllDocuments()';
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', message));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document
  if (doc === undefined) throw new Error('yaml: no document composed');
  return doc;
}

function keyText(key: CST.Token | null | undefined): string | undefined {
  if (key === undefined || key === null) return undefined;
  return 'source' in key && typeof key.source === 'string' ? key.source.replace(/^["']|["']$/g, '') : '?';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function convert(
  node: ParsedNode | YamlNode,
  path: string,
  lc: LineCounter,
  file: string,
  issues: Issue[],
): YNode {
  const start = node.range?.[0] ?? 0;
  const pos = lc.linePos(start);
  const base = {
    path,
    line: pos.line,
    column: pos.col,
    ...(node.tag !== undefined ? { tag: node.tag } : {}),
  };
  if (isMap(node)) {
    const entries: YEntry[] = [];
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? scalarText(pair.key) : String(pair.key);
      const childPath = path === '' ? key : `${path}.${key}`;
      const value = isNode(pair.value)
        ? convert(pair.value, childPath, lc, file, issues)
        : nullScalar(childPath, isScalar(pair.key) ? lc.linePos(pair.key.range?.[0] ?? 0) : pos);
      entries.push({ key, value });
    }
    return { kind: 'map', entries, ...base };
  }
  if (isSeq(node)) {
    const items = node.items.map((item, i) =>
      item === null
        ? nullScalar(`${path}[${i}]`, pos)
        : convert(item as ParsedNode, `${path}[${i}]`, lc, file, issues),
    );
    return { kind: 'seq', items, ...base };
  }
  if (isScalar(node)) {
    return { kind: 'scalar', text: scalarText(node), isNull: node.value === null, ...base };
  }
  issues.push(
    issue('yaml_syntax', 'unsupported YAML node (alias or unknown)', { file, path, line: pos.line }),
  );
  return { kind: 'scalar', text: '', isNull: true, ...base };
}

function nullScalar(path: string, pos: { line: number; col: number }): YScalar {
  return { kind: 'scalar', text: '', isNull: true, path, line: pos.line, column: pos.col };
}

function scalarText(node: { value: unknown; source?: string; type?: string | undefined }): string {
  if (node.value === null || node.value === undefined) return '';
  if (node.type === 'PLAIN' && typeof node.source === 'string') return node.source;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? '';
}

/** The entry `key` of a map node, or undefined. */
export function getEntry(map: YMap, key: string): YNode | undefined {
  return map.entries.find((e) => e.key === key)?.value;
}

/** Plain JS form of a node (strings, arrays, objects), for payloads such as `!public` specs. */
export function toPlain(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.isNull ? null : node.text;
    case 'seq':
      return node.items.map(toPlain);
    case 'map':
      return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
  }
}

/** Where a node sits, for issues. */
export function locate(
  file: string,
  node: { path: string; line: number },
): { file: string; path: string; line: number } {
  return { file, path: node.path, line: node.line };
}
