/**
 * A demo task's frame counter for one run: reset at START, counted only while RUNNING, and logged every second while
 * RUNNING as `run R: N frames <verb>, X frames/s` (the rate over the last interval), then once at STOP with the
 * run's total and average rate. Shows data flowing while a run is on, not only at its end.
 */
import { log } from './demo-support.ts';

/** Interval of the rate lines while RUNNING. */
export const RATE_LOG_MS = 1_000;

export class RunRate {
  #count = 0;
  #run = 0;
  #startedAt = 0;
  #mark = { at: 0, count: 0 };
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly program: string,
    private readonly verb: string,
    private readonly intervalMs = RATE_LOG_MS,
  ) {}

  /** Frames counted in the current (or last) run. */
  get count(): number {
    return this.#count;
  }

  /** A new run: the count starts at zero and rate lines follow every interval until `stop`. */
  start(run: number): void {
    clearInterval(this.#timer);
    this.#count = 0;
    this.#run = run;
    this.#startedAt = Date.now();
    this.#mark = { at: this.#startedAt, count: 0 };
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
  }

  /** Counts `n` frames when a run is on; frames outside a run are not counted. */
  add(n = 1): void {
    if (this.#timer !== undefined) this.#count += n;
  }

  /** Ends the run (no-op when none is on) and logs its total. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const seconds = Math.max(0.001, (Date.now() - this.#startedAt) / 1000);
    log(
      this.program,
      `run ${this.#run} ended: ${this.#count} frames ${this.verb} in ${seconds.toFixed(1)} s, ${(this.#count / seconds).toFixed(1)} frames/s`,
    );
  }

  #tick(): void {
    const now = Date.now();
    const rate = ((this.#count - this.#mark.count) * 1000) / Math.max(1, now - this.#mark.at);
    this.#mark = { at: now, count: this.#count };
    log(this.program, `run ${this.#run}: ${this.#count} frames ${this.verb}, ${rate.toFixed(1)} frames/s`);
  }
}
