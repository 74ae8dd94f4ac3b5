/**
 * Reservations across environments: what each environment holds on each host (CPU, memory, ports). Placement of
 * one environment subtracts what the others hold; teardown releases everything the environment held.
 */
import { expandRanges } from './placement-ports.ts';
import type { TaskPlacement } from './placement-types.ts';

/** What the ledger holds on one host, summed over environments. CPU and memory in thousandths (exact sums). */
export interface HostUsage {
  readonly cpuMilli: number;
  readonly memoryMilli: number;
  readonly ports: ReadonlySet<number>;
  readonly tasks: number;
  readonly envs: ReadonlySet<string>;
}

interface MutableUsage {
  cpuMilli: number;
  memoryMilli: number;
  ports: Map<number, string>;
  tasks: number;
  envs: Map<string, number>;
}

/** Conflict found by `reserve`: a port already held (`heldBy`: the env id, or a task id earlier in the same batch). */
export interface PortConflict {
  readonly host: string;
  readonly port: number;
  readonly heldBy: string;
}

/** Ports a placement holds: static ranges, channel ports and the control port. */
export function portsOf(p: TaskPlacement): number[] {
  const out = [...expandRanges(p.staticPorts), ...p.channelPorts];
  if (p.controlPort !== undefined) out.push(p.controlPort);
  return out;
}

/** Thousandths, rounded, so sums of fractional cores and MB stay exact. */
export function milli(x: number): number {
  return Math.round(x * 1000);
}

export class Ledger {
  private readonly byEnv = new Map<string, TaskPlacement[]>();
  private readonly byHost = new Map<string, MutableUsage>();

  /**
   * Records the placements of an environment (added to what it already holds). Refused as a whole, with the
   * conflicts, when a port is already held on that host.
   */
  reserve(
    envId: string,
    placements: readonly TaskPlacement[],
  ): { ok: true } | { ok: false; conflicts: PortConflict[] } {
    const conflicts = this.conflicts(placements);
    if (conflicts.length > 0) return { ok: false, conflicts };
    for (const p of placements) this.apply(envId, p, 1);
    this.byEnv.set(envId, [...(this.byEnv.get(envId) ?? []), ...placements]);
    return { ok: true };
  }

  /** Frees everything the environment holds; false when it held nothing. */
  release(envId: string): boolean {
    const held = this.byEnv.get(envId);
    if (held === undefined) return false;
    for (const p of held) this.apply(envId, p, -1);
    this.byEnv.delete(envId);
    return true;
  }

  /** What is held on a host (zeros when nothing). */
  usage(host: string): HostUsage {
    const u = this.byHost.get(host);
    if (u === undefined) return { cpuMilli: 0, memoryMilli: 0, ports: new Set(), tasks: 0, envs: new Set() };
    return {
      cpuMilli: u.cpuMilli,
      memoryMilli: u.memoryMilli,
      ports: new Set(u.ports.keys()),
      tasks: u.tasks,
      envs: new Set(u.envs.keys()),
    };
  }

  /** Ports held on a host, without copying. */
  heldPorts(host: string): Iterable<number> {
    return this.byHost.get(host)?.ports.keys() ?? [];
  }

  /** Whether the environment holds anything on the host. */
  hasEnvOn(host: string, envId: string): boolean {
    return this.byHost.get(host)?.envs.has(envId) ?? false;
  }

  /** The placements an environment holds, in reservation order. */
  placementsOf(envId: string): readonly TaskPlacement[] {
    return this.byEnv.get(envId) ?? [];
  }

  environments(): string[] {
    return [...this.byEnv.keys()].sort();
  }

  private conflicts(placements: readonly TaskPlacement[]): PortConflict[] {
    const out: PortConflict[] = [];
    const seen = new Map<string, Set<number>>();
    for (const p of placements) {
      const mine = seen.get(p.host) ?? new Set<number>();
      seen.set(p.host, mine);
      for (const port of portsOf(p)) {
        const heldBy = this.byHost.get(p.host)?.ports.get(port) ?? (mine.has(port) ? p.taskId : undefined);
        if (heldBy !== undefined) out.push({ host: p.host, port, heldBy });
        mine.add(port);
      }
    }
    return out;
  }

  private apply(envId: string, p: TaskPlacement, sign: 1 | -1): void {
    let u = this.byHost.get(p.host);
    if (u === undefined) {
      u = { cpuMilli: 0, memoryMilli: 0, ports: new Map(), tasks: 0, envs: new Map() };
      this.byHost.set(p.host, u);
    }
    u.cpuMilli += sign * milli(p.cpu);
    u.memoryMilli += sign * milli(p.memoryMb);
    u.tasks += sign;
    const n = (u.envs.get(envId) ?? 0) + sign;
    if (n > 0) u.envs.set(envId, n);
    else u.envs.delete(envId);
    for (const port of portsOf(p)) {
      if (sign > 0) u.ports.set(port, envId);
      else u.ports.delete(port);
    }
    if (u.tasks === 0) this.byHost.delete(p.host);
  }
}
