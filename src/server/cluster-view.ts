/**
 * The machines as the core sees them, for `axle cluster hosts`: what the engine reports (Slurm nodes, or the
 * connected agents' hosts), what Axle's environments reserve there (the scheduler's ledger), and what is left.
 */
import type { ClusterEngine, ClusterHost } from '../engine/cluster-engine.ts';
import type { HostUsage } from '../scheduler/placement-ledger.ts';
import type { HostOffer } from '../scheduler/placement-types.ts';
import type { AgentLink } from './agent-link.ts';

export interface HostView extends ClusterHost {
  readonly cpuReserved: number;
  readonly memoryReservedMb: number;
  readonly cpuFree: number;
  readonly memoryFreeMb: number;
  readonly agents: number;
  readonly portsReserved: number;
}

export interface ClusterView {
  readonly engine: string;
  readonly hosts: readonly HostView[];
  /** Why the engine's view may be stale. */
  readonly error?: string;
}

export interface ClusterSources {
  readonly cluster: ClusterEngine | undefined;
  /** Placement offers (capacity for Axle) by host. */
  readonly offers: readonly HostOffer[];
  readonly links: readonly AgentLink[];
  readonly usage: (host: string) => HostUsage;
}

/** Hosts in name order, each with the engine's figures, Axle's reservations and what Axle can still place. */
export function clusterView(s: ClusterSources): ClusterView {
  const base = s.cluster?.inventory() ?? agentHosts(s.links);
  const offers = new Map(s.offers.map((o) => [o.host, o]));
  const hosts = [...base]
    .sort((a, b) => a.host.localeCompare(b.host))
    .map((h): HostView => {
      const u = s.usage(h.host);
      const offer = offers.get(h.host);
      const cpuReserved = u.cpuMilli / 1000;
      const memoryReservedMb = u.memoryMilli / 1000;
      return {
        ...h,
        environments: [...new Set([...h.environments, ...u.envs])].sort(),
        cpuReserved,
        memoryReservedMb,
        cpuFree: offer === undefined ? 0 : Math.max(0, offer.cpu - cpuReserved),
        memoryFreeMb: offer === undefined ? 0 : Math.max(0, offer.memoryMb - memoryReservedMb),
        agents: s.links.filter((l) => l.host === h.host).length,
        portsReserved: u.ports.size,
      };
    });
  return {
    engine: s.cluster?.kind ?? 'local',
    hosts,
    ...(s.cluster?.lastError !== undefined ? { error: s.cluster.lastError } : {}),
  };
}

/** Without a cluster engine, the hosts are those of the connected agents. */
function agentHosts(links: readonly AgentLink[]): ClusterHost[] {
  const byHost = new Map<string, ClusterHost>();
  for (const l of links)
    byHost.set(l.host, {
      host: l.host,
      address: '',
      state: 'connected',
      cpu: l.hello.cpu,
      memoryMb: l.hello.memoryMb,
      cpuAllocated: 0,
      memoryAllocatedMb: 0,
      attributes: l.hello.attributes,
      environments: [],
    });
  return [...byHost.values()];
}
