/**
 * Port bookkeeping for one host during a placement: the offered ranges, the ports already taken (by the ledger and
 * by this placement run), and allocation of the lowest free offered port at or above a floor.
 */
import type { PortRange } from './placement-types.ts';

/** AliECS: TCP bind channels take the lowest free offered port ≥ 9000, the control port the lowest ≥ 30000. */
export const CHANNEL_PORT_FLOOR = 9000;
export const CONTROL_PORT_FLOOR = 30000;

/** Every port of the ranges, in order. */
export function expandRanges(ranges: readonly PortRange[]): number[] {
  const out: number[] = [];
  for (const r of ranges) for (let p = r.begin; p <= r.end; p++) out.push(p);
  return out;
}

/** Number of ports the ranges hold. */
export function rangeSize(ranges: readonly PortRange[]): number {
  return ranges.reduce((n, r) => n + Math.max(0, r.end - r.begin + 1), 0);
}

/** Offered ports of one host with the taken ones; allocation only adds, so a per-floor cursor stays valid. */
export class PortPool {
  private readonly ranges: readonly PortRange[];
  private readonly cursors = new Map<number, number>();
  private readonly taken = new Set<number>();
  private free: number;

  constructor(ranges: readonly PortRange[], taken: Iterable<number>) {
    this.ranges = [...ranges].filter((r) => r.end >= r.begin).sort((a, b) => a.begin - b.begin);
    this.free = rangeSize(this.ranges);
    for (const p of taken) this.mark(p);
  }

  /** Offered ports not taken. */
  freeCount(): number {
    return this.free;
  }

  /** Marks a port taken (a static port, or one held elsewhere). */
  mark(port: number): void {
    if (this.taken.has(port)) return;
    this.taken.add(port);
    if (this.offers(port)) this.free--;
  }

  isTaken(port: number): boolean {
    return this.taken.has(port);
  }

  offers(port: number): boolean {
    return this.ranges.some((r) => port >= r.begin && port <= r.end);
  }

  /** The first static port that is not offered or already taken, or undefined when all are free. */
  staticConflict(wanted: readonly number[]): { port: number; why: 'not offered' | 'taken' } | undefined {
    for (const p of wanted) {
      if (!this.offers(p)) return { port: p, why: 'not offered' };
      if (this.taken.has(p)) return { port: p, why: 'taken' };
    }
    return undefined;
  }

  /** Lowest free offered port ≥ floor, else the lowest free offered port at all; marks it taken. */
  take(floor: number): number | undefined {
    const p = this.scan(floor) ?? this.scan(0);
    if (p !== undefined) this.mark(p);
    return p;
  }

  private scan(floor: number): number | undefined {
    const from = Math.max(floor, this.cursors.get(floor) ?? floor);
    for (const r of this.ranges) {
      if (r.end < from) continue;
      for (let p = Math.max(r.begin, from); p <= r.end; p++) {
        if (!this.taken.has(p)) {
          this.cursors.set(floor, p);
          return p;
        }
      }
    }
    this.cursors.set(floor, Number.MAX_SAFE_INTEGER);
    return undefined;
  }
}
