/**
 * Slurm nodes as Axle sees them: placement offers (capacity for Axle: total minus what others' jobs hold and what
 * rounding Axle's own allocations up cost) and the inventory rows of `axle cluster hosts`. Pure.
 */
import type { PortRange } from '../../common/ports.ts';
import type { HostOffer } from '../../scheduler/placement-types.ts';
import type { ClusterHost, HostDemand } from '../cluster-engine.ts';
import type { Component } from './allocation.ts';
import { nodeAttributes, nodeTrouble } from './inventory.ts';
import type { NodePorts, SlurmNode } from './inventory.ts';

/** One of Axle's allocations: what Slurm granted per node, and what the tasks wanted. */
export interface OwnAllocation {
  readonly environmentId: string;
  readonly components: readonly Component[];
  readonly demand: readonly HostDemand[];
}

interface OwnUsage {
  cpu: number;
  memoryMb: number;
  roundingCpu: number;
  roundingMemoryMb: number;
}

/** What Axle's allocations hold on a node, and how much of it rounding up added to the tasks' wants. */
function ownUsage(node: string, own: readonly OwnAllocation[]): OwnUsage {
  const u = { cpu: 0, memoryMb: 0, roundingCpu: 0, roundingMemoryMb: 0 };
  for (const a of own) {
    const c = a.components.find((x) => x.node === node);
    if (c === undefined) continue;
    const d = a.demand.find((x) => x.host === node);
    u.cpu += c.cpus;
    u.memoryMb += c.memoryMb;
    u.roundingCpu += c.cpus - (d?.cpu ?? 0);
    u.roundingMemoryMb += c.memoryMb - (d?.memoryMb ?? 0);
  }
  return u;
}

/**
 * Offers of usable nodes. The scheduler's ledger subtracts the tasks' own wants; the offer leaves out what others'
 * jobs hold and what Axle's allocations hold beyond those wants (whole CPUs, minimum memory).
 */
export function hostOffers(
  nodes: readonly SlurmNode[],
  ports: ReadonlyMap<string, NodePorts>,
  own: readonly OwnAllocation[],
): HostOffer[] {
  return nodes.map((n) => {
    const u = ownUsage(n.name, own);
    const foreignCpu = Math.max(0, n.allocCpus - u.cpu);
    const foreignMemory = Math.max(0, n.allocMemoryMb - u.memoryMb);
    const p = ports.get(n.name);
    return {
      host: n.name,
      cpu: Math.max(0, n.cpus - foreignCpu - u.roundingCpu),
      memoryMb: Math.max(0, n.memoryMb - foreignMemory - u.roundingMemoryMb),
      ports: p === undefined ? [] : [planRange(p.control), planRange(p.tcp)],
      attributes: nodeAttributes(n),
    };
  });
}

/** Every node with Slurm's state and figures and the environments holding an allocation there. */
export function clusterHosts(nodes: readonly SlurmNode[], own: readonly OwnAllocation[]): ClusterHost[] {
  return nodes.map((n) => {
    const trouble = nodeTrouble(n);
    return {
      host: n.name,
      address: n.address,
      state: [n.state, ...n.flags.map((f) => f.toLowerCase())].join('+'),
      ...(trouble !== undefined ? { trouble } : {}),
      cpu: n.cpus,
      memoryMb: n.memoryMb,
      cpuAllocated: n.allocCpus,
      memoryAllocatedMb: n.allocMemoryMb,
      attributes: nodeAttributes(n),
      environments: own
        .filter((a) => a.components.some((c) => c.node === n.name))
        .map((a) => a.environmentId),
    };
  });
}

/** The scheduler's range form. */
function planRange(r: PortRange): { begin: number; end: number } {
  return { begin: r.first, end: r.last };
}
