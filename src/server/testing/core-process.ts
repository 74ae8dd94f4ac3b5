/**
 * A core as a child process for restart tests: `node --import tsx core-process.ts '<json CoreProcessOptions>'`.
 * Prints `READY <url>` once it listens, its log lines after; on SIGTERM it stops as `axle core` does (destroying its
 * environments and stopping its agents) and exits 0.
 */
import { startCore } from '../core.ts';
import type { CoreOptions } from '../core.ts';

export interface CoreProcessOptions {
  readonly core: Omit<CoreOptions, 'log'>;
  /** Repository to register (once: a restarted core finds it in its state directory). */
  readonly repo: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as CoreProcessOptions;
const core = await startCore({ ...options.core, log: (line) => process.stdout.write(`${line}\n`) });
await core.context.repos.add(options.repo).catch(() => undefined);
process.stdout.write(`READY ${core.url} restored=${core.restored}\n`);
process.once('SIGTERM', () => {
  void core.stop().then(() => process.exit(0));
});
