/**
 * Plans ControlWorkflows' readout-dataflow for N hosts in this process (twice) and prints one JSON line:
 * { hosts, tasks, coldMs, warmMs, maxRssMB }. Arguments: N, a state directory, the configuration file.
 */
import { join } from 'node:path';
import { openConfigSource } from '../src/config/open-config-source.ts';
import { RepoManager } from '../src/repos/repo-manager.ts';
import { setYamlCacheDir } from '../src/template/yaml-cache.ts';
import { planFromRepos } from '../src/workflow/repo-planning.ts';
import { CONTROL_WORKFLOWS, hostNames } from './readout-workload.ts';

const [n = '2', stateDir = '', configPath = ''] = process.argv.slice(2);
// as the CLI does: templates parsed by an earlier process come from the state directory's cache
if (process.env['AXLE_BENCH_NO_YAML_CACHE'] === undefined) setYamlCacheDir(join(stateDir, 'cache', 'yaml'));
const repos = await RepoManager.open({ stateDir });
const info = repos.list().find((r) => r.url === CONTROL_WORKFLOWS) ?? (await repos.add(CONTROL_WORKFLOWS));
const options = {
  repos,
  workflow: `${info.id}/workflows/readout-dataflow`,
  userVars: { hosts: JSON.stringify(hostNames(Number(n))) },
  config: openConfigSource(configPath),
};
const c0 = process.cpuUsage();
const t0 = performance.now();
const first = await planFromRepos(options);
const coldMs = performance.now() - t0;
const c1 = process.cpuUsage(c0);
if (!first.ok) throw new Error(first.issues.map((i) => i.message).join('\n'));
const t1 = performance.now();
await planFromRepos(options);
const warmMs = performance.now() - t1;
const round = (x: number): number => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    hosts: Number(n),
    tasks: first.value.tasks.length,
    coldMs: round(coldMs),
    coldCpuMs: round((c1.user + c1.system) / 1000),
    warmMs: round(warmMs),
    maxRssMB: round(process.resourceUsage().maxRSS / 1024),
  }),
);
