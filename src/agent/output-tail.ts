/** Keeps the last lines a task printed, for exit reports and hook results. */

/** Lines kept per task. */
export const TAIL_LINES = 50;

/**
 * Splits incoming chunks into lines (per stream, so stdout and stderr never merge mid-line) and keeps the last
 * `limit` complete lines; a pending partial line shows up in {@link OutputTail.text} too.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly partial = new Map<string, string>();

  constructor(private readonly limit = TAIL_LINES) {}

  /** Adds a chunk of stream `stream`; returns the complete lines it finished (for forwarding). */
  push(stream: string, chunk: string): string[] {
    const text = (this.partial.get(stream) ?? '') + chunk;
    const parts = text.split('\n');
    this.partial.set(stream, parts.pop() ?? '');
    const done = parts.map((line) => line.replace(/\r$/, ''));
    for (const line of done) this.keep(line);
    return done;
  }

  /** Turns pending partial lines into complete ones (at process exit). */
  flush(): string[] {
    const rest = [...this.partial.values()].filter((line) => line !== '');
    this.partial.clear();
    for (const line of rest) this.keep(line);
    return rest;
  }

  /** The kept lines, oldest first. */
  get last(): readonly string[] {
    const pending = [...this.partial.values()].filter((line) => line !== '');
    return [...this.lines, ...pending].slice(-this.limit);
  }

  /** The kept lines joined with newlines. */
  text(): string {
    return this.last.join('\n');
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }
}
