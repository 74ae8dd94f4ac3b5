/**
 * Benchmark: planning the example data-taking workflow (QC and DCS branches on) for 1, 50 and 200 hosts.
 * Prints wall time (first plan in a fresh process, then a second plan) and the process's peak RSS per size.
 * Target: 200 hosts in ≤ 300 ms and ≤ 150 MB, cost growing linearly with hosts.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const sizes = (process.argv[2] ?? '1,50,200').split(',').map(Number);
console.log('hosts  tasks  calls  first plan ms  second plan ms  peak RSS MB');
for (const n of sizes) {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'plan-one.ts'), String(n)],
    { encoding: 'utf8' },
  );
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  console.log(
    [r['hosts'], r['tasks'], r['calls'], r['coldMs'], r['warmMs'], r['maxRssMB']]
      .map((v, i) => String(v).padStart(i === 0 ? 5 : 13))
      .join(' '),
  );
}
