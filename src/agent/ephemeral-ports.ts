/**
 * The host's ephemeral port range (where the kernel picks source ports of outgoing connections) and the check that
 * keeps Axle's port ranges out of it: a task port inside it can be taken by any outgoing connection, the agent's own
 * OCC polls included, between the agent's probe and the task's bind.
 */
import { readFileSync } from 'node:fs';
import {
  CONTROL_PORTS,
  LINUX_EPHEMERAL_PORTS,
  TCP_PORTS,
  formatRange,
  outsideOf,
  overlaps,
} from '../common/ports.ts';
import type { PortRange } from '../common/ports.ts';

export const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

/** The ranges an agent hands ports from. */
export interface AgentPortRanges {
  readonly control: PortRange;
  readonly tcp: PortRange;
}

/** A port range that cannot be used on this host; the message names both ranges. */
export class PortRangeError extends Error {
  override readonly name = 'PortRangeError';
}

/** This host's ephemeral range, or Linux's default 32768-60999 when `file` cannot be read or parsed. */
export function readEphemeralRange(file = EPHEMERAL_RANGE_FILE): PortRange {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return LINUX_EPHEMERAL_PORTS;
  }
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (m === null || !(first >= 1 && first <= last && last <= 65535)) return LINUX_EPHEMERAL_PORTS;
  return { first, last };
}

/**
 * The ranges to use: a configured range as given, refused when it overlaps `ephemeral`; an unconfigured one is the
 * default (control 30000-32767, TCP 9000-29999) with the ephemeral range cut out.
 * @throws PortRangeError naming the range and the ephemeral range
 */
export function agentPortRanges(
  configured: Partial<AgentPortRanges>,
  ephemeral: PortRange = readEphemeralRange(),
): AgentPortRanges {
  return {
    control: usable('control', configured.control, CONTROL_PORTS, ephemeral),
    tcp: usable('tcp', configured.tcp, TCP_PORTS, ephemeral),
  };
}

function usable(
  kind: 'control' | 'tcp',
  configured: PortRange | undefined,
  fallback: PortRange,
  ephemeral: PortRange,
): PortRange {
  const eph = `the ephemeral port range ${formatRange(ephemeral)} of this host (${EPHEMERAL_RANGE_FILE})`;
  if (configured !== undefined) {
    if (!overlaps(configured, ephemeral)) return configured;
    throw new PortRangeError(
      `${kind} port range ${formatRange(configured)} overlaps ${eph}: outgoing connections may take those ports; ` +
        `choose a range outside it (--${kind}-ports)`,
    );
  }
  const range = outsideOf(fallback, ephemeral);
  if (range !== undefined) return range;
  throw new PortRangeError(
    `the default ${kind} port range ${formatRange(fallback)} lies inside ${eph}: give one outside it (--${kind}-ports)`,
  );
}
