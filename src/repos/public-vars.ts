/**
 * Collects the `!public` variable specs of a workflow file: every `!public`-tagged mapping that is a direct value
 * of a `defaults:` or `vars:` map anywhere in the tree (AliECS `core/repos/repoutils.go` semantics). Field problems
 * are warnings and the field keeps its zero value; a name declared public twice is an error.
 */
import { issue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import { emptyVarSpec, isVarType, isVarWidget } from '../common/var-spec.ts';
import type { VarSpec, VarSpecSource } from '../common/var-spec.ts';
import { getEntry, locate, toPlain } from '../template/yaml-tree.ts';
import type { YMap, YNode } from '../template/yaml-tree.ts';

export interface PublicVars {
  /** Specs in document order; empty when a duplicate was found. */
  readonly specs: ReadonlyMap<string, VarSpec>;
  readonly issues: readonly Issue[];
}

const PUBLIC_TAG = '!public';

/** The public specs of a parsed workflow file (`file` is used in issues). */
export function collectPublicVars(root: YNode, file: string): PublicVars {
  const specs = new Map<string, VarSpec>();
  const issues: Issue[] = [];
  let duplicate = false;
  const visit = (node: YNode, parentKey: string | undefined): void => {
    if (node.kind === 'seq') node.items.forEach((n) => visit(n, undefined));
    if (node.kind !== 'map') return;
    const source = parentKey === 'defaults' || parentKey === 'vars' ? parentKey : undefined;
    for (const { key, value } of node.entries) {
      if (source === undefined || value.kind !== 'map' || value.tag !== PUBLIC_TAG) {
        visit(value, key);
        continue;
      }
      if (specs.has(key)) {
        duplicate = true;
        issues.push(dupIssue(key, file, value));
        continue;
      }
      specs.set(key, readSpec(value, source, file, issues));
    }
  };
  visit(root, undefined);
  return { specs: duplicate ? new Map() : specs, issues };
}

function dupIssue(name: string, file: string, at: YNode): Issue {
  const msg = `public variable "${name}" is declared more than once; the file's variable specs are invalid`;
  return issue('duplicate_public_var', msg, locate(file, at));
}

function readSpec(map: YMap, source: VarSpecSource, file: string, issues: Issue[]): VarSpec {
  const warn: Warn = (node, message) => {
    issues.push(issue('invalid_value', message, locate(file, node), 'warning'));
  };
  const text = (key: string): string => {
    const n = getEntry(map, key);
    if (n === undefined) return '';
    if (n.kind === 'scalar') return n.text;
    warn(n, `"${key}" should be a scalar`);
    return key === 'value' ? JSON.stringify(toPlain(n)) : '';
  };
  const base = emptyVarSpec(source);
  return {
    ...base,
    value: text('value'),
    type: enumField(map, 'type', text('type'), isVarType, base.type, warn),
    label: text('label'),
    description: text('description'),
    widget: enumField(map, 'widget', text('widget'), isVarWidget, base.widget, warn),
    panel: text('panel'),
    values: stringList(getEntry(map, 'values'), warn),
    index: integer(getEntry(map, 'index'), false, warn),
    rows: integer(getEntry(map, 'rows'), true, warn),
    visibleIf: text('visibleif'),
    enabledIf: text('enabledif'),
  };
}

type Warn = (node: YNode, message: string) => void;

/** An enumerated field: absent → `fallback`; unknown value → warning and `fallback`. */
function enumField<T extends string>(
  map: YMap,
  key: string,
  got: string,
  isMember: (s: string) => s is T,
  fallback: T,
  warn: Warn,
): T {
  if (got === '') return fallback;
  if (isMember(got)) return got;
  warn(getEntry(map, key) ?? map, `unknown ${key} "${got}", using "${fallback}"`);
  return fallback;
}

function stringList(node: YNode | undefined, warn: Warn): string[] {
  if (node === undefined || (node.kind === 'scalar' && node.isNull)) return [];
  if (node.kind !== 'seq') {
    warn(node, '"values" should be a list');
    return [];
  }
  return node.items.map((item) => (item.kind === 'scalar' ? item.text : JSON.stringify(toPlain(item))));
}

function integer(node: YNode | undefined, nonNegative: boolean, warn: Warn): number {
  if (node === undefined || (node.kind === 'scalar' && node.isNull)) return 0;
  const n = node.kind === 'scalar' && /^[-+]?\d+$/.test(node.text.trim()) ? Number(node.text) : NaN;
  if (Number.isSafeInteger(n) && (!nonNegative || n >= 0)) return n;
  const key = node.path.slice(node.path.lastIndexOf('.') + 1);
  warn(node, `"${key}" should be ${nonNegative ? 'a non-negative' : 'an'} integer`);
  return 0;
}
