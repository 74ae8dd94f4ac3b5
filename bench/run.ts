/** Runs every benchmark of bench/ in turn (`npm run bench`). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

await import('./plan.ts');
await import('./placement.ts');
await import('./cli-start.ts');
await import('./plan-readout.ts');
// The runtime benchmark runs the bundled agent (as production nodes do) in a process of its own, so that the core's
// memory figures are not the earlier benchmarks'.
execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'runtime.ts')], {
  stdio: 'inherit',
});
