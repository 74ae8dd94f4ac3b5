/**
 * Run numbers of a core without a configuration store: kept in an embedded store of their own,
 * `<stateDir>/run-numbers` (SQLite, every number committed and synced to disk before it is returned, so a number is
 * never handed out twice, whatever crashes). The counter file of earlier versions, `<stateDir>/run-number`, is
 * imported at first use: the counter never goes below it; the file is then renamed `run-number.imported`.
 */
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedConfigStore } from '../config/embedded-store.ts';
import { RUN_NUMBER_KEY, newRunNumber } from '../config/store.ts';

/** The directory of the run-number store inside Axle's state directory. */
export function runNumbersDir(stateDir: string): string {
  return join(stateDir, 'run-numbers');
}

export class LocalRunNumbers {
  private readonly store: EmbeddedConfigStore;
  private readonly oldFile: string;
  private imported: Promise<void> | undefined;

  constructor(stateDir: string) {
    this.store = new EmbeddedConfigStore(runNumbersDir(stateDir));
    this.oldFile = join(stateDir, 'run-number');
  }

  /** The next run number (concurrent requests get distinct, gap-free numbers). */
  async next(): Promise<number> {
    this.imported ??= this.importOldFile().catch((e: unknown) => {
      this.imported = undefined;
      throw e;
    });
    await this.imported;
    return await newRunNumber(this.store);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Raises the counter to the old file's number (if higher), then renames the file. */
  private async importOldFile(): Promise<void> {
    const text = await readFile(this.oldFile, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const old = Number(text.trim()) || 0;
    for (;;) {
      const current = await this.store.get(RUN_NUMBER_KEY);
      if ((Number(current?.trim()) || 0) >= old) break;
      if (await this.store.compareAndSwap(RUN_NUMBER_KEY, current, String(old))) break;
    }
    await rename(this.oldFile, `${this.oldFile}.imported`);
  }
}
