/**
 * Plans the example data-taking workflow for N hosts in this process and prints one JSON line:
 * { hosts, tasks, coldMs, warmMs, maxRssMB }. Used by plan.ts, one child process per size so peak memory is per size.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { openConfigSource } from '../src/config/open-config-source.ts';
import { memoryFiles } from '../src/workflow/memory-files.ts';
import { planWorkflow } from '../src/workflow/planner.ts';

const hosts = Number(process.argv[2] ?? '1');
const root = join(import.meta.dirname, '..', 'examples');
const files: Record<string, string> = {};
for (const dir of ['workflows', 'tasks', 'jit']) {
  for (const f of readdirSync(join(root, 'templates', dir)))
    files[`${dir}/${f}`] = readFileSync(join(root, 'templates', dir, f), 'utf8');
}
const names = Array.from({ length: hosts }, (_, i) => `bench${String(i + 1).padStart(3, '0')}`);
const config = parse(readFileSync(join(root, 'config.yaml'), 'utf8')) as {
  o2: { hardware: { detectors: Record<string, { flps: Record<string, string> }> } };
};
const tst = config.o2.hardware.detectors['TST'];
if (tst === undefined) throw new Error('examples/config.yaml has no TST detector');
for (const n of names) tst.flps[n] = '';
const configPath = join(mkdtempSync(join(tmpdir(), 'axle-bench-')), 'config.yaml');
writeFileSync(configPath, stringify(config));

const request = {
  workflow: 'datataking',
  files: memoryFiles(files),
  config: openConfigSource(configPath),
  userVars: { hosts: JSON.stringify(names), qc_enabled: 'true', dcs_enabled: 'true' },
};
const t0 = performance.now();
const first = await planWorkflow(request);
const coldMs = performance.now() - t0;
if (!first.ok) throw new Error(first.issues.map((i) => i.message).join('\n'));
const t1 = performance.now();
await planWorkflow(request);
const warmMs = performance.now() - t1;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    hosts,
    tasks: first.value.tasks.length,
    calls: first.value.calls.length,
    coldMs: round(coldMs),
    warmMs: round(warmMs),
    maxRssMB: round(maxRssMB),
  }),
);

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
