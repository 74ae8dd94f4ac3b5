/**
 * Port ranges handed out by an agent: control ports for OCC-controlled tasks and TCP ports for bound data channels.
 * Pure arithmetic only; probing whether a port is free belongs to the agent.
 */

/** An inclusive range of port numbers. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Control ports of direct/fairmq tasks (AliECS hands out ports from its Mesos offers; ours start at 30000). They end
 * below Linux's default ephemeral range, where outgoing connections take their source ports.
 */
export const CONTROL_PORTS: PortRange = { first: 30000, last: 32767 };

/** Ports of TCP channels that a task binds. */
export const TCP_PORTS: PortRange = { first: 9000, last: 29999 };

/** Linux's default ephemeral port range (`/proc/sys/net/ipv4/ip_local_port_range`), used when it cannot be read. */
export const LINUX_EPHEMERAL_PORTS: PortRange = { first: 32768, last: 60999 };

/** True when the ranges share at least one port. */
export function overlaps(a: PortRange, b: PortRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** The largest part of `range` that lies outside `avoid` (the lower part on a tie), or undefined when none does. */
export function outsideOf(range: PortRange, avoid: PortRange): PortRange | undefined {
  if (!overlaps(range, avoid)) return range;
  const below = avoid.first > range.first ? { first: range.first, last: avoid.first - 1 } : undefined;
  const above = avoid.last < range.last ? { first: avoid.last + 1, last: range.last } : undefined;
  if (below === undefined || above === undefined) return below ?? above;
  return rangeSize(above) > rangeSize(below) ? above : below;
}

/** `first-last`, the form flags take. */
export function formatRange(range: PortRange): string {
  return `${range.first}-${range.last}`;
}

/** Parses `first-last` (or a single port) into a range, or undefined when the text is not one within 1..65535. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(text);
  if (m === null) return undefined;
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (first < 1 || last > 65535 || first > last) return undefined;
  return { first, last };
}

/** Number of ports in a range. */
export function rangeSize(range: PortRange): number {
  return range.last - range.first + 1;
}

/**
 * The port `offset` steps after `from`, wrapping around inside the range; a `from` outside the range counts as the
 * port just before the range (so offset 1 gives its first port).
 */
export function portAfter(range: PortRange, from: number, offset: number): number {
  const size = rangeSize(range);
  const base = from < range.first || from > range.last ? -1 : from - range.first;
  return range.first + ((((base + offset) % size) + size) % size);
}

/**
 * Splits a range into `parts` disjoint slices of (almost) equal size, so that several agent processes on one machine
 * never pick the same port. Returns fewer slices when the range is smaller than `parts`.
 */
export function splitRange(range: PortRange, parts: number): PortRange[] {
  const n = Math.max(1, Math.min(parts, rangeSize(range)));
  const size = Math.floor(rangeSize(range) / n);
  const slices: PortRange[] = [];
  for (let i = 0; i < n; i++) {
    const first = range.first + i * size;
    slices.push({ first, last: i === n - 1 ? range.last : first + size - 1 });
  }
  return slices;
}
