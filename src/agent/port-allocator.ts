/**
 * Hands out control ports and TCP channel ports to the tasks of an agent: never a port that a live task of this
 * agent holds, never one in the host's ephemeral range, and (when probing) only ports that can be bound on
 * 127.0.0.1 right now.
 */
import { createServer } from 'node:net';
import { portAfter, rangeSize } from '../common/ports.ts';
import type { PortRange } from '../common/ports.ts';
import { agentPortRanges, readEphemeralRange } from './ephemeral-ports.ts';

export type PortKind = 'control' | 'tcp';

export interface PortAllocatorOptions {
  /** Configured ranges (default: 30000-32767 and 9000-29999 minus the ephemeral range); see agentPortRanges. */
  readonly control?: PortRange;
  readonly tcp?: PortRange;
  /** The host's ephemeral port range (default: read from /proc, else Linux's 32768-60999). */
  readonly ephemeral?: PortRange;
  /** Whether a port can be bound now (default {@link canBind}); tests inject the race between probe and bind. */
  readonly probe?: (port: number) => Promise<boolean>;
  /**
   * Where the first search starts: `random` (default) makes agents in different processes that share a range
   * unlikely to pick the same port in the moment between probe and bind; `lowest` starts at the range's start.
   */
  readonly start?: 'random' | 'lowest';
}

/** Thrown when a range has no free port left. */
export class PortExhaustedError extends Error {
  constructor(readonly kind: PortKind) {
    super(`no free ${kind} port left`);
    this.name = 'PortExhaustedError';
  }
}

/**
 * Thrown by {@link PortAllocator.claim} when an assigned port cannot be had: `holder` is the owner (task id) that
 * holds it in this agent, or undefined when something else already listens on it.
 */
export class PortBusyError extends Error {
  constructor(
    readonly kind: PortKind,
    readonly port: number,
    readonly holder: string | undefined,
  ) {
    super(
      `${kind} port ${port} is busy (${holder === undefined ? 'in use on this machine' : `held by ${holder}`})`,
    );
    this.name = 'PortBusyError';
  }
}

/** Resolves true when `port` can be bound on 127.0.0.1 (the listener is closed again at once). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Port bookkeeping for one agent (or for several posing agents sharing one machine).
 * Ports are owned by a task id and come back with {@link PortAllocator.release}. Candidates advance round-robin, so
 * a port freed a moment ago is reused last (its old connections may still linger).
 */
export class PortAllocator {
  private readonly ranges: Record<PortKind, PortRange>;
  private readonly cursor: Record<PortKind, number>;
  private readonly held = new Map<number, string>();
  private readonly byOwner = new Map<string, number[]>();
  private readonly canBind: (port: number) => Promise<boolean>;

  /** @throws PortRangeError when a configured range overlaps the ephemeral range */
  constructor(options: PortAllocatorOptions = {}) {
    const configured = {
      ...(options.control === undefined ? {} : { control: options.control }),
      ...(options.tcp === undefined ? {} : { tcp: options.tcp }),
    };
    this.ranges = agentPortRanges(configured, options.ephemeral ?? readEphemeralRange());
    this.canBind = options.probe ?? canBind;
    const random = (options.start ?? 'random') === 'random';
    const startOf = (r: PortRange): number =>
      r.first - 1 + (random ? Math.floor(Math.random() * rangeSize(r)) : 0);
    this.cursor = { control: startOf(this.ranges.control), tcp: startOf(this.ranges.tcp) };
  }

  /**
   * Reserves a port of `kind` for `owner`. With `probe` (default) the port must also be bindable on 127.0.0.1;
   * simulated tasks pass `probe: false` (nothing ever listens on their ports).
   * @throws PortExhaustedError when every port of the range is held or busy.
   */
  async allocate(kind: PortKind, owner: string, probe = true): Promise<number> {
    const range = this.ranges[kind];
    for (let tries = 0; tries < rangeSize(range); tries++) {
      const port = this.nextFree(kind);
      if (port === undefined) break;
      this.hold(port, owner);
      if (!probe || (await this.canBind(port))) return port;
      this.unhold(port, owner);
    }
    throw new PortExhaustedError(kind);
  }

  /**
   * Holds exactly `port` (assigned by the core) for `owner` until {@link PortAllocator.release}; the port may lie
   * outside the allocator's ranges, and automatic allocation never hands it out while held. With `probe` (default)
   * the port must also be bindable on 127.0.0.1 now.
   * @throws PortBusyError when a task of this agent (`owner` included) holds it, or the probe fails (then nothing
   * is held).
   */
  async claim(kind: PortKind, port: number, owner: string, probe = true): Promise<void> {
    const holder = this.held.get(port);
    if (holder !== undefined) throw new PortBusyError(kind, port, holder);
    this.hold(port, owner);
    if (!probe || (await this.canBind(port))) return;
    this.unhold(port, owner);
    throw new PortBusyError(kind, port, undefined);
  }

  /** Frees every port held by `owner`. */
  release(owner: string): void {
    for (const port of this.byOwner.get(owner) ?? []) this.held.delete(port);
    this.byOwner.delete(owner);
  }

  /** Ports currently held by `owner`. */
  heldBy(owner: string): readonly number[] {
    return this.byOwner.get(owner) ?? [];
  }

  /** The range ports of `kind` come from. */
  range(kind: PortKind): PortRange {
    return this.ranges[kind];
  }

  /** Number of ports held in total. */
  get size(): number {
    return this.held.size;
  }

  private nextFree(kind: PortKind): number | undefined {
    const range = this.ranges[kind];
    for (let step = 1; step <= rangeSize(range); step++) {
      const port = portAfter(range, this.cursor[kind], step);
      if (!this.held.has(port)) {
        this.cursor[kind] = port;
        return port;
      }
    }
    return undefined;
  }

  private hold(port: number, owner: string): void {
    this.held.set(port, owner);
    const list = this.byOwner.get(owner);
    if (list === undefined) this.byOwner.set(owner, [port]);
    else list.push(port);
  }

  private unhold(port: number, owner: string): void {
    if (this.held.get(port) === owner) this.held.delete(port);
    const list = this.byOwner.get(owner)?.filter((p) => p !== port) ?? [];
    if (list.length === 0) this.byOwner.delete(owner);
    else this.byOwner.set(owner, list);
  }
}
