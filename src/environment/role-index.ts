/**
 * The role tree's rolled-up states and statuses, kept up to date incrementally with the rules of rollup.ts. Each role
 * keeps counts of the states and statuses of the children it combines, so a task's change walks from its leaf to
 * the root only (O(depth)), stopping at the first role whose state and status stay the same.
 */
import type { PlanRole } from '../common/plan.ts';

export interface RoleChange {
  readonly name: string;
  readonly path: string;
  readonly state: string;
  readonly status: string;
}

/** A leaf's own state and status. */
export interface LeafValue {
  readonly state: string;
  readonly status: string;
}

interface Node {
  readonly role: PlanRole;
  readonly parent: Node | undefined;
  readonly children: readonly Node[];
  /** This role is one of those its parent combines (critical leaves and inner roles, or all when none is). */
  combined: boolean;
  state: string;
  status: string;
  readonly states: Map<string, number>;
  readonly statuses: Map<string, number>;
}

export class RoleIndex {
  private readonly root: Node;
  private readonly byPath = new Map<string, Node>();
  /** Roles looked at by `update` since construction (tests check the O(depth) bound with it). */
  visits = 0;

  constructor(root: PlanRole) {
    this.root = this.build(root, undefined);
  }

  /** Recomputes every role from its leaves' values; returns the roles that changed, parents before children. */
  refresh(leaf: (role: PlanRole) => LeafValue): RoleChange[] {
    const before = new Map<Node, string>();
    const compute = (n: Node): void => {
      before.set(n, key(n));
      n.children.forEach(compute);
      if (n.role.leaf !== undefined) {
        const v = leaf(n.role);
        n.state = v.state;
        n.status = v.status;
        return;
      }
      n.states.clear();
      n.statuses.clear();
      for (const c of n.children) if (c.combined) count(n, c.state, c.status, 1);
      combine(n);
    };
    compute(this.root);
    const changes: RoleChange[] = [];
    const collect = (n: Node): void => {
      if (before.get(n) !== key(n)) changes.push(change(n));
      n.children.forEach(collect);
    };
    collect(this.root);
    return changes;
  }

  /** A leaf's value changed: updates it and the roles above it; returns the changed roles, leaf first. */
  update(path: string, value: LeafValue): RoleChange[] {
    const leaf = this.byPath.get(path);
    if (leaf === undefined || leaf.role.leaf === undefined) return [];
    this.visits++;
    if (leaf.state === value.state && leaf.status === value.status) return [];
    const changes: RoleChange[] = [];
    let node = leaf;
    let old = { state: node.state, status: node.status };
    node.state = value.state;
    node.status = value.status;
    changes.push(change(node));
    while (node.parent !== undefined && node.combined) {
      const parent = node.parent;
      this.visits++;
      count(parent, old.state, old.status, -1);
      count(parent, node.state, node.status, 1);
      old = { state: parent.state, status: parent.status };
      combine(parent);
      if (parent.state === old.state && parent.status === old.status) break;
      changes.push(change(parent));
      node = parent;
    }
    return changes;
  }

  private build(role: PlanRole, parent: Node | undefined): Node {
    const node: Node = {
      role,
      parent,
      children: [],
      combined: true,
      state: '',
      status: '',
      states: new Map(),
      statuses: new Map(),
    };
    this.byPath.set(role.path, node);
    const children = role.children.map((c) => this.build(c, node));
    (node.children as Node[]).push(...children);
    const counts = (c: Node): boolean => c.role.critical || c.role.leaf === undefined;
    if (children.some(counts)) for (const c of children) c.combined = counts(c);
    return node;
  }
}

function key(n: Node): string {
  return `${n.state}/${n.status}`;
}

function change(n: Node): RoleChange {
  return { name: n.role.name, path: n.role.path, state: n.state, status: n.status };
}

function count(n: Node, state: string, status: string, by: 1 | -1): void {
  bump(n.states, state, by);
  bump(n.statuses, status, by);
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const v = (m.get(k) ?? 0) + by;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}

/** rollup.ts's combineStates/combineStatuses over counts. */
function combine(n: Node): void {
  const states = [...n.states.keys()];
  n.state =
    states.length === 0
      ? 'UNKNOWN'
      : n.states.has('ERROR')
        ? 'ERROR'
        : states.length === 1
          ? (states[0] as string)
          : 'MIXED';
  const statuses = [...n.statuses.keys()];
  n.status =
    statuses.length === 0
      ? 'UNDEFINED'
      : n.statuses.has('UNDEPLOYABLE')
        ? 'UNDEPLOYABLE'
        : statuses.length === 1 && (statuses[0] === 'ACTIVE' || statuses[0] === 'INACTIVE')
          ? statuses[0]
          : 'PARTIAL';
}
