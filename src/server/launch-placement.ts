/**
 * Turns an environment's launches into scheduler requests and the scheduler's answer into per-task placements:
 * host, and — when the hosts offer port ranges (cluster engines) — the control port and one port per TCP bind
 * channel, so that agents of different environments on one machine never pick the same port.
 */
import type { HostDemand } from '../engine/cluster-engine.ts';
import type { LaunchRequest } from '../environment/task-controller.ts';
import { placeAll } from '../scheduler/placement.ts';
import { formatReasons } from '../scheduler/placement-explain.ts';
import type { Ledger } from '../scheduler/placement-ledger.ts';
import type { HostOffer, PlacementRequest, TaskPlacement } from '../scheduler/placement-types.ts';

export type Placement =
  | {
      readonly ok: true;
      readonly host: string;
      readonly controlPort?: number;
      /** TCP bind channel → assigned port. */
      readonly channelPorts: ReadonlyMap<string, number>;
    }
  | { readonly ok: false; readonly reason: string; readonly undeployable: true };

/** Channels whose port the core assigns: TCP binds without an explicit address. */
function assignedChannels(r: LaunchRequest): string[] {
  return r.binds.filter((b) => b.addressing === 'tcp' && b.target === undefined).map((b) => b.channel);
}

function needsControlPort(r: LaunchRequest): boolean {
  return r.control === 'direct' || r.control === 'fairmq';
}

function toRequest(r: LaunchRequest, withPorts: boolean): PlacementRequest {
  const channels = withPorts ? assignedChannels(r) : [];
  const control = withPorts && needsControlPort(r);
  return {
    taskId: r.taskId,
    path: r.path,
    cpu: r.wants.cpu ?? 0,
    memoryMb: r.wants.memory ?? 0,
    staticPorts: withPorts ? (r.wants.ports ?? []) : [],
    dynamicPorts: channels.length + (control ? 1 : 0),
    controlPort: control,
    tcpChannels: channels,
    constraints: r.constraints,
    ...(r.sameHostAs !== undefined ? { sameHostAs: r.sameHostAs } : {}),
  };
}

function toPlacement(p: TaskPlacement, channels: readonly string[]): Placement {
  const channelPorts = new Map<string, number>();
  channels.forEach((c, i) => {
    const port = p.channelPorts[i];
    if (port !== undefined) channelPorts.set(c, port);
  });
  return {
    ok: true,
    host: p.host,
    channelPorts,
    ...(p.controlPort !== undefined ? { controlPort: p.controlPort } : {}),
  };
}

/**
 * Places one environment's launches on `offers` minus what the ledger holds for other environments, and records the
 * result in the ledger (a relaunch of the same environment replaces its reservations). Ports — static `wants.ports`
 * and assigned ones — are handled only when every offer carries port ranges (cluster engines; local agents pick their
 * own). A task that fits nowhere gets the scheduler's explanation per host.
 */
export function placeLaunches(
  requests: readonly LaunchRequest[],
  offers: readonly HostOffer[],
  ledger: Ledger,
  noHostsDetail: string,
): Map<string, Placement> {
  const envId = requests[0]?.environmentId ?? '';
  ledger.release(envId);
  const withPorts = offers.length > 0 && offers.every((o) => o.ports.length > 0);
  const reqs = requests.map((r) => toRequest(r, withPorts));
  const result = placeAll(reqs, offers, ledger, { envId });
  ledger.reserve(envId, result.placements);
  const channels = new Map(reqs.map((r) => [r.taskId, r.tcpChannels ?? []]));
  const out = new Map<string, Placement>(
    result.placements.map((p) => [p.taskId, toPlacement(p, channels.get(p.taskId) ?? [])]),
  );
  if (!result.ok) {
    for (const u of result.undeployable) {
      const detail = offers.length === 0 ? noHostsDetail : formatReasons(u.reasons);
      out.set(u.taskId, { ok: false, undeployable: true, reason: `no host can run ${u.path}: ${detail}` });
    }
  }
  return out;
}

/** What the environment needs per host: sums of its placed tasks' CPU and memory, hosts in name order. */
export function demandOf(
  requests: readonly LaunchRequest[],
  placements: ReadonlyMap<string, Placement>,
): HostDemand[] {
  const sums = new Map<string, { cpu: number; memoryMb: number }>();
  for (const r of requests) {
    const p = placements.get(r.taskId);
    if (p === undefined || !p.ok) continue;
    const s = sums.get(p.host) ?? { cpu: 0, memoryMb: 0 };
    s.cpu += r.wants.cpu ?? 0;
    s.memoryMb += r.wants.memory ?? 0;
    sums.set(p.host, s);
  }
  return [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, s]) => ({ host, cpu: s.cpu, memoryMb: s.memoryMb }));
}
