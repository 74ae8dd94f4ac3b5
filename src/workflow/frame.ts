/**
 * What a role sees of its position while it is processed: its parent in the tree (for Parent(), Up(n)), the variable
 * chains it inherits, the constraints and channels collected from its ancestors, and the template files it came from.
 */
import type { Constraint } from '../common/plan.ts';
import { ExprFunction } from '../template/expr/value.ts';
import type { Value } from '../template/expr/value.ts';
import type { TemplateFiles } from './template-store.ts';
import type { StackView } from './var-stack.ts';

/** A channel with every field rendered; `file`/`line` say where it was declared. */
export interface RenderedChannel {
  readonly direction: 'bind' | 'connect';
  readonly fields: Readonly<Record<string, string>>;
  readonly file: string;
  readonly path: string;
  readonly line: number;
}

export interface TreeNode {
  readonly name: string;
  readonly path: string;
  readonly parent: TreeNode | undefined;
}

export interface Frame {
  readonly node: TreeNode | undefined;
  readonly stack: StackView;
  readonly constraints: ReadonlyMap<string, Constraint>;
  readonly bind: readonly RenderedChannel[];
  readonly connect: readonly RenderedChannel[];
  readonly files: TemplateFiles;
  readonly file: string;
  /** Workflow files being included above this point, to detect include cycles. */
  readonly includeChain: readonly string[];
}

function nodeValue(n: TreeNode | undefined): Value {
  return n === undefined ? null : { Name: n.name, Path: n.path };
}

/** Parent(), Up(n) and, from stage 4, This() for a role whose tree parent is `parent`. */
export function treeObjects(
  parent: TreeNode | undefined,
  self: () => TreeNode | undefined,
): Record<string, Value> {
  return {
    Parent: new ExprFunction('Parent', () => nodeValue(parent)),
    Up: new ExprFunction('Up', (levels) => {
      const n = typeof levels === 'number' ? levels : Number(levels);
      if (!Number.isInteger(n) || n <= 0) return null;
      let p: TreeNode | undefined = self() ?? { name: '', path: '', parent };
      for (let i = 0; i < n && p !== undefined; i++) p = p.parent;
      return nodeValue(p);
    }),
    This: new ExprFunction('This', () => nodeValue(self())),
  };
}

export function childPath(parent: TreeNode | undefined, name: string): string {
  return parent === undefined || parent.path === '' ? name : `${parent.path}.${name}`;
}
