/**
 * Work and size limits of one render. Every evaluation step, loop iteration and KiB of built text is charged to
 * the step budget; text is checked against the output cap BEFORE it is built; includes nest at most
 * `maxIncludeDepth` deep.
 */
import { EvalFailure } from './errors.ts';

export interface RenderLimits {
  /** Size cap of the rendered payload (UTF-8 bytes) and of any single string built while rendering. */
  readonly maxOutputBytes: number;
  /** Evaluation steps per render (expression nodes, statements, loop iterations, KiB of built text). */
  readonly maxSteps: number;
  /** Deepest chain of `{% include %}`. */
  readonly maxIncludeDepth: number;
  /** Longest list `range()` may build. */
  readonly maxRangeItems: number;
}

export const DEFAULT_LIMITS: RenderLimits = {
  maxOutputBytes: 8 * 1024 * 1024,
  maxSteps: 1_000_000,
  maxIncludeDepth: 32,
  maxRangeItems: 100_000,
};

/** `8 MiB`, `64 KiB`, `100 bytes`. */
export function formatSize(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function limit(message: string): never {
  throw new EvalFailure('limit', message);
}

export class Budget {
  private steps = 0;

  constructor(readonly limits: RenderLimits) {}

  /** Charges `n` steps. */
  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      limit(`evaluation exceeds the limit of ${this.limits.maxSteps} steps`);
    }
  }

  /** Checks that a string of `length` may be built (before building it) and charges one step per KiB. */
  text(length: number): void {
    this.fits(length);
    this.step(Math.ceil(length / 1024));
  }

  /** Charges reading `value` when it is text: one step per KiB (operations that scan text are linear in it). */
  scan(value: unknown): void {
    if (typeof value === 'string' && value.length > 1024) this.step(Math.ceil(value.length / 1024));
  }

  /** Checks only that text of `length` stays within the output cap (for text whose parts were charged already). */
  fits(length: number): void {
    if (length > this.limits.maxOutputBytes) {
      limit(
        `text of ${length} characters exceeds the ${formatSize(this.limits.maxOutputBytes)} output limit`,
      );
    }
  }
}

/** Rendered text collected piece by piece, refusing to grow past the output cap. */
export class OutputBuffer {
  private readonly parts: string[] = [];
  private bytes = 0;

  constructor(private readonly budget: Budget) {}

  write(s: string): void {
    const max = this.budget.limits.maxOutputBytes;
    const size = s.length > max ? s.length : Buffer.byteLength(s, 'utf8');
    if (this.bytes + size > max) limit(`output exceeds the ${formatSize(max)} limit`);
    this.bytes += size;
    this.parts.push(s);
  }

  toString(): string {
    return this.parts.join('');
  }
}
