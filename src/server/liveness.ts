/**
 * How the core judges that an agent is alive. Silence is measured on the core's clock but time the core itself was
 * stalled (its event loop did not run, see LoopStallMeter) does not count against the agent, and a heartbeat that
 * was read late (its send time, on the agent's clock, says how late) extends the allowance by that lateness.
 */

/** What the core knows of one agent's signs of life. */
export class Liveness {
  /** Core time of the last message read from the agent (stall credits move it forward, never past now). */
  private lastHeard: number;
  /** Smallest (read time − send time) seen: clock offset plus the base latency. */
  private minDelay = Number.POSITIVE_INFINITY;
  /** How much later than the best the last heartbeat was read: the core's own reading backlog for this agent. */
  private readDelay = 0;
  private lastSequence = 0n;

  constructor(now: number) {
    this.lastHeard = now;
  }

  /** A message from the agent was read at `now`; for a heartbeat, `sentAt` is the agent's clock when it sent it. */
  heard(now: number, heartbeat?: { readonly sentAt: number; readonly sequence: bigint }): void {
    this.lastHeard = now;
    if (heartbeat === undefined || heartbeat.sentAt <= 0) return;
    const delay = now - heartbeat.sentAt;
    this.minDelay = Math.min(this.minDelay, delay);
    this.readDelay = delay - this.minDelay;
    if (heartbeat.sequence > 0n) this.lastSequence = heartbeat.sequence;
  }

  /** The core was stalled for `ms` (up to `now`): that time is not counted as the agent's silence. */
  credit(ms: number, now: number): void {
    this.lastHeard = Math.min(now, this.lastHeard + ms);
  }

  /** Silence counted against the agent at `now`. */
  silence(now: number): number {
    return Math.max(0, now - this.lastHeard - this.readDelay);
  }

  /** For loss reasons: the last heartbeat's sequence number (0: none carried one). */
  get sequence(): bigint {
    return this.lastSequence;
  }
}

/**
 * Measures the core's own stalls by timer drift: a tick every `periodMs` that runs late by d ms means the event loop
 * did not run for about d ms. `onTick` gets that stall (0 when on time) on every tick.
 */
export class LoopStallMeter {
  private readonly timer: NodeJS.Timeout;
  private last: number;
  private total = 0;

  constructor(
    readonly periodMs: number,
    onTick: (stallMs: number, now: number) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.last = clock();
    this.timer = setInterval(() => {
      const now = this.clock();
      const stall = Math.max(0, now - this.last - this.periodMs);
      this.last = now;
      this.total += stall;
      onTick(stall, now);
    }, periodMs);
    this.timer.unref();
  }

  /** Total stall measured since the start (ms). */
  get stalledMs(): number {
    return this.total;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
