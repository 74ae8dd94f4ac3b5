/**
 * Run numbers: unique and increasing across core restarts, kept in a file of the state directory and written
 * atomically (temp file + rename). One writer (the core) at a time; requests are serialized in-process.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class FileRunNumbers {
  private queue: Promise<number> = Promise.resolve(0);

  constructor(private readonly path: string) {}

  next(): Promise<number> {
    const run = this.queue.then(() => this.increment());
    this.queue = run.catch(() => 0);
    return run;
  }

  private async increment(): Promise<number> {
    const current = Number((await readFile(this.path, 'utf8').catch(() => '0')).trim()) || 0;
    const next = current + 1;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${next}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
    return next;
  }
}
