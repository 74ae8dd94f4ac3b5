/**
 * Small readers over the YAML tree that collect issues instead of throwing: maps with a closed key set, templatable
 * strings with their location, string maps such as `defaults:` and booleans.
 */
import { issue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import { getEntry, toPlain } from '../template/yaml-tree.ts';
import type { YMap, YNode } from '../template/yaml-tree.ts';

/** A string from a template, with where it was written. */
export interface Located {
  readonly text: string;
  readonly path: string;
  readonly line: number;
}

/** Collects issues for one file. */
export class ReadContext {
  readonly issues: Issue[] = [];
  constructor(readonly file: string) {}

  error(node: { path: string; line: number }, code: Issue['code'], message: string): void {
    this.issues.push(issue(code, message, { file: this.file, path: node.path, line: node.line }));
  }

  warn(node: { path: string; line: number }, code: Issue['code'], message: string): void {
    this.issues.push(issue(code, message, { file: this.file, path: node.path, line: node.line }, 'warning'));
  }
}

/** The node as a map whose keys are all in `allowed`; reports the others. */
export function readMap(
  node: YNode,
  allowed: readonly string[],
  ctx: ReadContext,
  what: string,
): YMap | undefined {
  if (node.kind !== 'map') {
    ctx.error(node, 'invalid_value', `${what} must be a mapping, found a ${kindName(node)}`);
    return undefined;
  }
  for (const e of node.entries) {
    if (!allowed.includes(e.key)) {
      ctx.error(e.value, 'unknown_key', `unknown key "${e.key}" in ${what} (allowed: ${allowed.join(', ')})`);
    }
  }
  return node;
}

export function kindName(node: YNode): string {
  return node.kind === 'map' ? 'mapping' : node.kind === 'seq' ? 'list' : 'scalar';
}

/** A scalar entry as a located string; `required` reports its absence. */
export function readString(map: YMap, key: string, ctx: ReadContext, required = false): Located | undefined {
  const node = getEntry(map, key);
  if (node === undefined) {
    if (required)
      ctx.error({ path: joinPath(map.path, key), line: map.line }, 'missing_key', `missing "${key}"`);
    return undefined;
  }
  if (node.kind !== 'scalar') {
    ctx.error(node, 'invalid_value', `"${key}" must be a string, found a ${kindName(node)}`);
    return undefined;
  }
  return { text: node.text, path: node.path, line: node.line };
}

/** A YAML boolean (`true`/`false`, any case); `fallback` when absent. */
export function readBool(map: YMap, key: string, ctx: ReadContext, fallback: boolean): boolean {
  const s = readString(map, key, ctx);
  if (s === undefined) return fallback;
  const t = s.text.trim().toLowerCase();
  if (t === 'true' || t === 'yes' || t === 'on') return true;
  if (t === 'false' || t === 'no' || t === 'off') return false;
  ctx.error(s, 'invalid_value', `"${key}" must be true or false, found "${s.text}"`);
  return fallback;
}

/** One `defaults:`/`vars:` item; `spec` holds the `!public` mapping when the value is a GUI spec. */
export interface VarItem {
  readonly key: string;
  readonly value: Located;
  readonly spec?: Record<string, unknown>;
}

/** A string map such as `defaults:`; `!public` specs contribute their `value`. */
export function readVarMap(map: YMap, key: string, ctx: ReadContext): VarItem[] {
  const node = getEntry(map, key);
  if (node === undefined || (node.kind === 'scalar' && node.isNull)) return [];
  if (node.kind !== 'map') {
    ctx.error(node, 'invalid_value', `"${key}" must be a mapping of names to values`);
    return [];
  }
  const items: VarItem[] = [];
  for (const e of node.entries) {
    const v = e.value;
    if (v.kind === 'scalar') {
      items.push({ key: e.key, value: { text: v.text, path: v.path, line: v.line } });
    } else if (v.kind === 'map' && v.tag === '!public') {
      const value = getEntry(v, 'value');
      const text = value?.kind === 'scalar' ? value.text : '';
      if (value !== undefined && value.kind !== 'scalar')
        ctx.error(value, 'invalid_value', '`value` of a public variable must be a string');
      items.push({
        key: e.key,
        value: { text, path: `${v.path}.value`, line: value?.line ?? v.line },
        spec: toPlain(v) as Record<string, unknown>,
      });
    } else {
      // AliECS skips such values: the variable stays undefined.
      ctx.warn(
        v,
        'invalid_value',
        `variable "${e.key}" is a ${kindName(v)} without the !public tag; ignored, as AliECS does`,
      );
    }
  }
  return items;
}

/** A list entry; absent → []. */
export function readList(map: YMap, key: string, ctx: ReadContext): YNode[] {
  const node = getEntry(map, key);
  if (node === undefined || (node.kind === 'scalar' && node.isNull)) return [];
  if (node.kind !== 'seq') {
    ctx.error(node, 'invalid_value', `"${key}" must be a list, found a ${kindName(node)}`);
    return [];
  }
  return [...node.items];
}

export function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}
