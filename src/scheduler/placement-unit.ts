/**
 * Units of placement and per-host free capacity. A unit is one task, or a same-host group placed as one: its
 * resources are summed and every member's constraints must hold on the chosen host.
 */
import type { Failure } from './placement-explain.ts';
import { milli, type Ledger } from './placement-ledger.ts';
import { firstFailure, hostValue } from './placement-match.ts';
import { expandRanges, PortPool } from './placement-ports.ts';
import type { HostOffer, PlacementConstraint, PlacementRequest } from './placement-types.ts';

export interface Unit {
  readonly members: readonly PlacementRequest[];
  readonly cpuMilli: number;
  readonly memoryMilli: number;
  readonly staticPorts: readonly number[];
  readonly dynamicPorts: number;
  /** Every member's constraints, deduplicated, in member order. */
  readonly constraints: readonly PlacementConstraint[];
  /** A static port two members both want: the group can go nowhere. */
  readonly clash?: number;
}

/** Same-host groups first (by first appearance), then single tasks, each in input order. */
export function unitsOf(requests: readonly PlacementRequest[]): Unit[] {
  const groups = new Map<string, PlacementRequest[]>();
  const singles: Unit[] = [];
  for (const r of requests) {
    if (r.sameHostAs === undefined) singles.push(unitOf([r]));
    else {
      const g = groups.get(r.sameHostAs);
      if (g === undefined) groups.set(r.sameHostAs, [r]);
      else g.push(r);
    }
  }
  return [...[...groups.values()].map(unitOf), ...singles];
}

function unitOf(members: readonly PlacementRequest[]): Unit {
  const [only] = members;
  if (members.length === 1 && only !== undefined && only.staticPorts.length === 0)
    return {
      members,
      cpuMilli: milli(only.cpu),
      memoryMilli: milli(only.memoryMb),
      staticPorts: [],
      dynamicPorts: only.dynamicPorts,
      constraints: only.constraints,
    };
  const seen = new Set<number>();
  let clash: number | undefined;
  for (const m of members)
    for (const p of new Set(expandRanges(m.staticPorts))) {
      if (seen.has(p)) clash ??= p;
      seen.add(p);
    }
  const constraints = new Map<string, PlacementConstraint>();
  for (const m of members)
    for (const c of m.constraints) constraints.set(`${c.attribute}\u0000${c.operator}\u0000${c.value}`, c);
  return {
    members,
    cpuMilli: members.reduce((n, m) => n + milli(m.cpu), 0),
    memoryMilli: members.reduce((n, m) => n + milli(m.memoryMb), 0),
    staticPorts: [...seen],
    dynamicPorts: members.reduce((n, m) => n + m.dynamicPorts, 0),
    constraints: [...constraints.values()],
    ...(clash === undefined ? {} : { clash }),
  };
}

/** What is still free on one host during a placement run. */
export class HostState {
  readonly offer: HostOffer;
  readonly cpuTotal: number;
  cpuFree: number;
  memoryFree: number;
  hasEnv: boolean;
  readonly ports: PortPool;

  constructor(offer: HostOffer, ledger: Ledger, envId: string | undefined) {
    const used = ledger.usage(offer.host);
    this.offer = offer;
    this.cpuTotal = milli(offer.cpu);
    this.cpuFree = this.cpuTotal - used.cpuMilli;
    this.memoryFree = milli(offer.memoryMb) - used.memoryMilli;
    this.hasEnv = envId !== undefined && used.envs.has(envId);
    this.ports = new PortPool(offer.ports, ledger.heldPorts(offer.host));
  }

  /** CPU share in use, for "least loaded first". */
  load(): number {
    return this.cpuTotal <= 0 ? 1 : 1 - this.cpuFree / this.cpuTotal;
  }

  /** Whether the unit's resources fit (constraints are checked by the index). */
  fits(u: Unit): boolean {
    return (
      u.clash === undefined &&
      u.cpuMilli <= this.cpuFree &&
      u.memoryMilli <= this.memoryFree &&
      this.ports.staticConflict(u.staticPorts) === undefined &&
      u.dynamicPorts <= this.ports.freeCount() - u.staticPorts.length
    );
  }

  /** The reason the unit cannot go here, constraints first; undefined when it fits. */
  failure(u: Unit): Failure | undefined {
    for (const m of u.members) {
      const c = firstFailure(this.offer, m.constraints);
      if (c === undefined) continue;
      const actual = hostValue(this.offer, c.attribute);
      const of = u.members.length > 1 ? { of: m.path } : {};
      return { kind: 'constraint', constraint: c, ...(actual === undefined ? {} : { actual }), ...of };
    }
    if (u.clash !== undefined) return { kind: 'static-port', port: u.clash, why: 'wanted twice' };
    if (u.cpuMilli > this.cpuFree)
      return { kind: 'cpu', wanted: u.cpuMilli / 1000, free: this.cpuFree / 1000 };
    if (u.memoryMilli > this.memoryFree)
      return { kind: 'memory', wanted: u.memoryMilli / 1000, free: this.memoryFree / 1000 };
    const conflict = this.ports.staticConflict(u.staticPorts);
    if (conflict !== undefined) return { kind: 'static-port', port: conflict.port, why: conflict.why };
    const free = this.ports.freeCount() - u.staticPorts.length;
    if (u.dynamicPorts > free) return { kind: 'ports', wanted: u.dynamicPorts, free: Math.max(0, free) };
    return undefined;
  }
}
