/**
 * Stage-wise processing of one role, as AliECS does it (fields.go stages):
 *   0 `enabled` and 1 `defaults` see the parent's stack (+ iterator locals); 2 `vars` also see the role's defaults;
 *   3 user vars also see its vars; 4 `name` and kind scalars see everything; 5 constraints and channels also see This().
 * Iterators expand first; disabled roles are pruned; an aggregator whose children are all disabled is disabled.
 */
import type { Constraint, PlanRole } from '../common/plan.ts';
import { isTruthyText } from '../template/expr/index.ts';
import type { Value } from '../template/expr/value.ts';
import type { ChannelTemplate } from './channel-template.ts';
import { childPath, treeObjects } from './frame.ts';
import type { Frame, RenderedChannel, TreeNode } from './frame.ts';
import type { Renderer } from './render.ts';
import type { ConstraintTemplate, IteratorTemplate, RoleTemplate } from './role-template.ts';
import { StackView, VarLayer } from './var-stack.ts';
import type { VarItem } from './yaml-read.ts';

type Body = Exclude<RoleTemplate, IteratorTemplate>;

/** The role after stages 0–5, ready for its kind-specific part. */
export interface ProcessedBase {
  readonly template: Body;
  readonly node: TreeNode;
  readonly frame: Frame;
  readonly renderer: Renderer;
  /** Stage-4 view: own defaults, vars, user vars and locals. */
  readonly stack: StackView;
  readonly objects: Readonly<Record<string, Value>>;
  readonly constraints: ReadonlyMap<string, Constraint>;
  readonly bind: readonly RenderedChannel[];
  readonly connect: readonly RenderedChannel[];
}

/** Runs stages 0–5 for a non-iterator role; undefined when disabled or unusable (issues recorded). */
export function processStages(
  t: Body,
  parent: Frame,
  renderer: Renderer,
  locals: VarLayer | undefined,
  extraObjects: (stack: StackView) => Readonly<Record<string, Value>>,
): ProcessedBase | undefined {
  const parentNode = parent.node;
  const parentView = new StackView(parent.stack.defaults, parent.stack.vars, parent.stack.userVars, locals);
  const selfRef: { node?: TreeNode } = {};
  const tree = treeObjects(parentNode, () => selfRef.node);
  const early = { Parent: tree.Parent ?? null, Up: tree.Up ?? null };
  const scopeAt = (view: StackView, withThis: boolean): ReturnType<Renderer['scope']> =>
    renderer.scope(view, {
      ...extraObjects(view),
      ...early,
      ...(withThis ? { This: tree.This ?? null } : {}),
    });

  if (
    t.enabled !== undefined &&
    !isTruthyText(renderer.render(t.enabled, scopeAt(parentView, false)) ?? 'false')
  )
    return undefined;

  const role = `${childPath(parentNode, t.name.text)}`;
  const d = fillLayer(
    new VarLayer({ kind: 'defaults', role, file: t.file }),
    t.defaults,
    renderer,
    scopeAt(parentView, false),
  );
  const s2 = new StackView(parent.stack.defaults.extend(d), parent.stack.vars, parent.stack.userVars, locals);
  const v = fillLayer(
    new VarLayer({ kind: 'vars', role, file: t.file }),
    t.vars,
    renderer,
    scopeAt(s2, false),
  );
  const u = new VarLayer({ kind: 'user-vars', role, file: t.file });
  const withLocals =
    locals === undefined ? parent.stack.vars.extend(v) : parent.stack.vars.extend(v).extend(locals);
  const full = new StackView(s2.defaults, withLocals, parent.stack.userVars.extend(u));

  // While the role itself is processed, iterator locals stay above everything (AliECS VarStack.Locals).
  const own = locals === undefined ? full : new StackView(full.defaults, full.vars, full.userVars, locals);
  const s4 = scopeAt(own, true);
  const name = renderer.render(t.name, s4);
  if (name === undefined) return undefined;
  const self: TreeNode = { name, path: childPath(parentNode, name), parent: parentNode };
  selfRef.node = self;
  for (const layer of [d, v, u, locals])
    if (layer !== undefined) layer.source = { ...layer.source, role: self.path };
  if (name.includes('.') || name.trim() === '')
    renderer.error(t.name, 'invalid_value', `role name "${name}" must be non-empty and contain no "."`);
  const objects = { ...extraObjects(full), ...tree };
  const s5 = renderer.scope(own, objects);
  return {
    template: t,
    node: self,
    frame: parent,
    renderer,
    stack: full,
    objects,
    constraints: mergeConstraints(parent.constraints, renderConstraints(t.constraints, renderer, s5)),
    bind: mergeRendered(renderChannels(t.bind, renderer, s5), parent.bind),
    connect: mergeRendered(renderChannels(t.connect, renderer, s5), parent.connect),
  };
}

function fillLayer(
  layer: VarLayer,
  items: readonly VarItem[],
  renderer: Renderer,
  scope: ReturnType<Renderer['scope']>,
): VarLayer {
  for (const item of items) {
    const value = renderer.render(item.value, scope);
    if (value !== undefined) layer.set(item.key, value, item.value.line);
  }
  return layer;
}

export function renderConstraints(
  items: readonly ConstraintTemplate[],
  renderer: Renderer,
  scope: ReturnType<Renderer['scope']>,
): Constraint[] {
  const out: Constraint[] = [];
  for (const c of items) {
    const attribute = renderer.render(c.attribute, scope);
    const value = renderer.render(c.value, scope);
    if (attribute !== undefined && value !== undefined) out.push({ attribute, operator: c.operator, value });
  }
  return out;
}

/** Child constraints replace inherited ones on the same attribute. */
export function mergeConstraints(
  inherited: ReadonlyMap<string, Constraint>,
  own: readonly Constraint[],
): ReadonlyMap<string, Constraint> {
  if (own.length === 0) return inherited;
  const out = new Map(inherited);
  for (const c of own) out.set(c.attribute, c);
  return out;
}

export function renderChannels(
  items: readonly ChannelTemplate[],
  renderer: Renderer,
  scope: ReturnType<Renderer['scope']>,
): RenderedChannel[] {
  return items.map((c) => {
    const fields: Record<string, string> = {};
    for (const [key, loc] of Object.entries(c.fields)) {
      const value = renderer.render(loc, scope);
      if (value !== undefined) fields[key] = value;
    }
    return { direction: c.direction, fields, file: renderer.file, path: c.path, line: c.line };
  });
}

/** Merge by name: `own` wins entirely; inherited channels of other names are appended. */
export function mergeRendered(
  own: readonly RenderedChannel[],
  inherited: readonly RenderedChannel[],
): readonly RenderedChannel[] {
  if (own.length === 0) return inherited;
  const names = new Set(own.map((c) => c.fields['name']));
  return [...own, ...inherited.filter((c) => !names.has(c.fields['name']))];
}

/** The frame children of a processed role see. */
export function childFrame(p: ProcessedBase, overrides: Partial<Frame> = {}): Frame {
  return {
    node: p.node,
    stack: p.stack,
    constraints: p.constraints,
    bind: p.bind,
    connect: p.connect,
    files: p.frame.files,
    file: p.frame.file,
    includeChain: p.frame.includeChain,
    ...overrides,
  };
}

/** A plan role for an aggregator from its processed children (which must be enabled). */
export function aggregatorRole(p: ProcessedBase, children: readonly PlanRole[]): PlanRole {
  return {
    kind: 'aggregator',
    name: p.node.name,
    path: p.node.path,
    critical: children.some((c) => c.critical),
    children,
  };
}
