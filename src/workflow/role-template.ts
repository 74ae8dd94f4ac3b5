/**
 * Workflow templates parsed into role templates: the union of aggregator, iterator, task, call and include roles
 * (the kind is decided by which key is present, `for` first). Nothing is evaluated here; every templatable string
 * keeps its location. All problems are collected in the ReadContext.
 */
import { CONSTRAINT_OPERATORS } from '../common/plan.ts';
import type { ConstraintOperator } from '../common/plan.ts';
import type { YMap, YNode } from '../template/yaml-tree.ts';
import { getEntry } from '../template/yaml-tree.ts';
import { readChannels } from './channel-template.ts';
import type { ChannelTemplate } from './channel-template.ts';
import { readBool, readList, readMap, readString, readVarMap } from './yaml-read.ts';
import type { Located, ReadContext, VarItem } from './yaml-read.ts';

export interface ConstraintTemplate {
  readonly attribute: Located;
  readonly value: Located;
  /** `=` (AliECS's only one, the default), `!=`, or `in` (value: comma-separated set). */
  readonly operator: ConstraintOperator;
}

interface RoleBase {
  readonly file: string;
  readonly path: string;
  readonly line: number;
  readonly name: Located;
  readonly enabled?: Located;
  readonly defaults: readonly VarItem[];
  readonly vars: readonly VarItem[];
  readonly constraints: readonly ConstraintTemplate[];
  readonly bind: readonly ChannelTemplate[];
  readonly connect: readonly ChannelTemplate[];
}

export interface AggregatorTemplate extends RoleBase {
  readonly kind: 'aggregator';
  readonly roles: readonly RoleTemplate[];
  readonly description?: Located;
  readonly isPublic: boolean;
}

export type IteratorFor =
  | {
      readonly kind: 'range';
      readonly range: Located;
      readonly var: string;
      readonly path: string;
      readonly line: number;
    }
  | {
      readonly kind: 'count';
      readonly begin: Located;
      readonly end: Located;
      readonly var: string;
      readonly path: string;
      readonly line: number;
    };

export interface IteratorTemplate {
  readonly kind: 'iterator';
  readonly for: IteratorFor;
  readonly body: Exclude<RoleTemplate, IteratorTemplate>;
}

export interface TaskRoleTemplate extends RoleBase {
  readonly kind: 'task';
  readonly load: Located;
  readonly trigger?: Located;
  readonly await?: Located;
  readonly timeout?: Located;
  readonly critical: boolean;
}

export interface CallRoleTemplate extends RoleBase {
  readonly kind: 'call';
  readonly func: Located;
  readonly trigger: Located;
  readonly await?: Located;
  readonly timeout?: Located;
  readonly critical: boolean;
  readonly returnVar?: Located;
}

export interface IncludeRoleTemplate extends RoleBase {
  readonly kind: 'include';
  readonly include: Located;
}

export type RoleTemplate =
  AggregatorTemplate | IteratorTemplate | TaskRoleTemplate | CallRoleTemplate | IncludeRoleTemplate;

const BASE_KEYS = ['name', 'enabled', 'defaults', 'vars', 'constraints', 'connect', 'bind'];
const KIND_KEYS = ['roles', 'task', 'call', 'include'] as const;

/** Parses a role; `isRoot` allows `description` and a `!public` name. Returns undefined when unusable. */
export function readRole(node: YNode, ctx: ReadContext, isRoot = false): RoleTemplate | undefined {
  const allowed = [...BASE_KEYS, ...KIND_KEYS, ...(isRoot ? ['description'] : ['for'])];
  const map = readMap(node, allowed, ctx, isRoot ? 'workflow template' : 'role');
  if (map === undefined) return undefined;
  const present = KIND_KEYS.filter((k) => getEntry(map, k) !== undefined);
  if (present.length !== 1) {
    const found = present.length === 0 ? 'none' : present.join(' and ');
    ctx.error(map, 'role_kind', `a role needs exactly one of roles, task, call, include; found ${found}`);
    return undefined;
  }
  const base = readBase(map, ctx);
  if (base === undefined) return undefined;
  const body = readBody(present[0] ?? 'roles', map, base, ctx, isRoot);
  if (body === undefined) return undefined;
  const forNode = getEntry(map, 'for');
  if (forNode === undefined) return body;
  const iteratorFor = readFor(forNode, ctx);
  return iteratorFor === undefined ? undefined : { kind: 'iterator', for: iteratorFor, body };
}

function readBase(map: YMap, ctx: ReadContext): RoleBase | undefined {
  const name = readString(map, 'name', ctx, true);
  if (name === undefined) return undefined;
  if (name.text.trim() === '') ctx.error(name, 'invalid_value', 'role name is empty');
  const enabled = readString(map, 'enabled', ctx);
  return {
    file: ctx.file,
    path: map.path,
    line: map.line,
    name,
    ...(enabled !== undefined ? { enabled } : {}),
    defaults: readVarMap(map, 'defaults', ctx),
    vars: readVarMap(map, 'vars', ctx),
    constraints: readConstraints(readList(map, 'constraints', ctx), ctx),
    bind: readChannels(readList(map, 'bind', ctx), 'bind', ctx),
    connect: readChannels(readList(map, 'connect', ctx), 'connect', ctx),
  };
}

export function readConstraints(items: readonly YNode[], ctx: ReadContext): ConstraintTemplate[] {
  const out: ConstraintTemplate[] = [];
  for (const item of items) {
    const map = readMap(item, ['attribute', 'value', 'operator'], ctx, 'constraint');
    if (map === undefined) continue;
    const attribute = readString(map, 'attribute', ctx, true);
    const value = readString(map, 'value', ctx, true);
    const operator = readOperator(map, ctx);
    if (attribute !== undefined && value !== undefined && operator !== undefined)
      out.push({ attribute, value, operator });
  }
  return out;
}

/** A constraint's `operator` (default `=`; `==` is accepted for `=`); undefined after an issue. */
function readOperator(map: YMap, ctx: ReadContext): ConstraintOperator | undefined {
  const op = readString(map, 'operator', ctx);
  if (op === undefined) return '=';
  const text = op.text.trim() === '==' ? '=' : op.text.trim();
  const known = CONSTRAINT_OPERATORS.find((o) => o === text);
  if (known === undefined)
    ctx.error(op, 'invalid_value', `constraint operator must be one of =, != or in, found "${op.text}"`);
  return known;
}

type Body = Exclude<RoleTemplate, IteratorTemplate>;

function readBody(
  kind: (typeof KIND_KEYS)[number],
  map: YMap,
  base: RoleBase,
  ctx: ReadContext,
  isRoot: boolean,
): Body | undefined {
  const node = getEntry(map, kind);
  if (node === undefined) return undefined;
  switch (kind) {
    case 'roles':
      return readAggregator(node, map, base, ctx, isRoot);
    case 'task':
      return readTaskRole(node, base, ctx);
    case 'call':
      return readCallRole(node, base, ctx);
    case 'include': {
      if (node.kind !== 'scalar') {
        ctx.error(node, 'invalid_value', '"include" must be a workflow name or reference');
        return undefined;
      }
      return { kind: 'include', ...base, include: { text: node.text, path: node.path, line: node.line } };
    }
  }
}

function readAggregator(
  node: YNode,
  map: YMap,
  base: RoleBase,
  ctx: ReadContext,
  isRoot: boolean,
): AggregatorTemplate | undefined {
  if (node.kind !== 'seq') {
    ctx.error(node, 'invalid_value', '"roles" must be a list of roles');
    return undefined;
  }
  const roles: RoleTemplate[] = [];
  for (const child of node.items) {
    const role = readRole(child, ctx);
    if (role !== undefined) roles.push(role);
  }
  const description = isRoot ? readString(map, 'description', ctx) : undefined;
  const nameNode = getEntry(map, 'name');
  return {
    kind: 'aggregator',
    ...base,
    roles,
    ...(description !== undefined ? { description } : {}),
    isPublic: isRoot && nameNode?.tag === '!public',
  };
}

function readTaskRole(node: YNode, base: RoleBase, ctx: ReadContext): TaskRoleTemplate | undefined {
  const t = readMap(node, ['load', 'trigger', 'await', 'timeout', 'critical'], ctx, 'task');
  if (t === undefined) return undefined;
  const load = readString(t, 'load', ctx, true);
  if (load === undefined) return undefined;
  const trigger = nonEmpty(readString(t, 'trigger', ctx));
  const awaitAt = nonEmpty(readString(t, 'await', ctx));
  const timeout = nonEmpty(readString(t, 'timeout', ctx));
  return {
    kind: 'task',
    ...base,
    load,
    ...(trigger !== undefined ? { trigger } : {}),
    ...(awaitAt !== undefined ? { await: awaitAt } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    critical: readBool(t, 'critical', ctx, true),
  };
}

function readCallRole(node: YNode, base: RoleBase, ctx: ReadContext): CallRoleTemplate | undefined {
  const c = readMap(node, ['func', 'trigger', 'await', 'timeout', 'critical', 'return'], ctx, 'call');
  if (c === undefined) return undefined;
  const func = readString(c, 'func', ctx, true);
  const trigger = readString(c, 'trigger', ctx, true);
  if (func === undefined || trigger === undefined) return undefined;
  const awaitAt = nonEmpty(readString(c, 'await', ctx));
  const timeout = nonEmpty(readString(c, 'timeout', ctx));
  const returnVar = nonEmpty(readString(c, 'return', ctx));
  return {
    kind: 'call',
    ...base,
    func,
    trigger,
    ...(awaitAt !== undefined ? { await: awaitAt } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(returnVar !== undefined ? { returnVar } : {}),
    critical: readBool(c, 'critical', ctx, true),
  };
}

function readFor(node: YNode, ctx: ReadContext): IteratorFor | undefined {
  const f = readMap(node, ['range', 'var', 'begin', 'end'], ctx, 'for');
  if (f === undefined) return undefined;
  const v = readString(f, 'var', ctx, true);
  if (v === undefined) return undefined;
  const range = readString(f, 'range', ctx);
  if (range !== undefined) return { kind: 'range', range, var: v.text, path: f.path, line: f.line };
  const begin = readString(f, 'begin', ctx, true);
  const end = readString(f, 'end', ctx, true);
  if (begin === undefined || end === undefined) return undefined;
  return { kind: 'count', begin, end, var: v.text, path: f.path, line: f.line };
}

function nonEmpty(s: Located | undefined): Located | undefined {
  return s === undefined || s.text.trim() === '' ? undefined : s;
}
