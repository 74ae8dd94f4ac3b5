/**
 * Benchmark: ControlWorkflows' readout-dataflow planned for 2 and 200 hosts, whole process and in process, side by
 * side with AliECS's own loader when one is given.
 *
 * - Axle, whole process: `node bin/axle.js workflow plan readout-dataflow --repo <mirror> --config file://… -e hosts=…`
 *   (a registered mirror fetched less than a minute ago is not fetched again); `AXLE_CLI=<file>` also times another
 *   CLI entry (e.g. a bundled CLI) the same way.
 * - Axle, in process: bench/plan-readout-one.ts in a fresh process (first plan, second plan, peak RSS).
 * - AliECS: `AXLE_ALIECS_LOADER=<binary>`, a program that loads the workflow with AliECS's workflow package, called as
 *   `<binary> -config file://<yaml> -repo <work tree> -hosts <json>` and printing one JSON line with `loadMs`.
 *   Without it only Axle's figures are printed.
 * Runs alternate between the programs so that load changes hit both alike; each figure is min/median of the runs
 * (`AXLE_BENCH_RUNS`, default 3). CPU is user + system time of the whole process (from /usr/bin/time).
 * Needs the ControlWorkflows mirror (AXLE_CONTROL_WORKFLOWS_GIT); without it the benchmark says so and stops.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { CONTROL_WORKFLOWS, controlWorkflowsPresent, hostNames, writeConfig } from './readout-workload.ts';

if (controlWorkflowsPresent()) run();
else console.log(`ControlWorkflows mirror not found at ${CONTROL_WORKFLOWS}: set AXLE_CONTROL_WORKFLOWS_GIT`);

function run(): void {
  const sizes = (process.argv[2] ?? '2,200').split(',').map(Number);
  const runs = Number(process.env['AXLE_BENCH_RUNS'] ?? '3');
  const loader = process.env['AXLE_ALIECS_LOADER'];
  const extraCli = process.env['AXLE_CLI'];
  const work = mkdtempSync(join(tmpdir(), 'axle-bench-readout-'));
  const stateDir = join(work, 'state');
  const bin = join(import.meta.dirname, '..', 'bin', 'axle.js');
  const TIME = '/usr/bin/time';

  interface Sample {
    readonly wallMs: number;
    readonly cpuMs: number;
    readonly rssMB: number;
    readonly inner?: number;
  }

  /** Runs a command once; wall, CPU and peak RSS of the whole process. */
  function timed(cmd: string, args: readonly string[]): Sample & { stdout: string } {
    const timeFile = join(work, 'time.txt');
    const useTime = existsSync(TIME);
    const t0 = performance.now();
    const r = useTime
      ? spawnSync(TIME, ['-o', timeFile, '-f', '%U %S %M', cmd, ...args], {
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        })
      : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    const wallMs = performance.now() - t0;
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.join(' ').slice(0, 200)} failed:\n${r.stderr.slice(-2000)}`);
    const [user = 0, sys = 0, rssKB = 0] = useTime
      ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number)
      : [NaN, NaN, NaN];
    return { wallMs, cpuMs: (user + sys) * 1000, rssMB: rssKB / 1024, stdout: r.stdout };
  }

  function axleCli(entry: string, n: number, config: string): Sample {
    const args = [
      entry,
      '--state-dir',
      stateDir,
      'workflow',
      'plan',
      'readout-dataflow',
      '--repo',
      CONTROL_WORKFLOWS,
    ];
    const s = timed(process.execPath, [
      ...args,
      '--config',
      `file://${config}`,
      '-e',
      `hosts=${JSON.stringify(hostNames(n))}`,
    ]);
    const tasks = /: (\d+) tasks/.exec(s.stdout)?.[1];
    if (tasks !== String(n * 5)) throw new Error(`axle planned ${tasks} tasks for ${n} hosts`);
    return s;
  }

  function axleInProcess(n: number, config: string): Sample & { warmMs: number } {
    const one = join(import.meta.dirname, 'plan-readout-one.ts');
    const s = timed(process.execPath, ['--import', 'tsx', one, String(n), stateDir, config]);
    const r = JSON.parse(s.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    return { ...s, inner: r['coldMs'] ?? NaN, warmMs: r['warmMs'] ?? NaN, rssMB: r['maxRssMB'] ?? NaN };
  }

  function aliecs(bin: string, n: number, config: string, tree: string): Sample {
    const s = timed(bin, [
      '-config',
      `file://${config}`,
      '-repo',
      tree,
      '-hosts',
      JSON.stringify(hostNames(n)),
    ]);
    const r = JSON.parse(s.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    if (r['tasks'] !== n * 5) throw new Error(`AliECS planned ${r['tasks']} tasks for ${n} hosts`);
    return { ...s, inner: r['loadMs'] ?? NaN };
  }

  const fmt = (xs: readonly number[]): string => {
    const s = [...xs].sort((a, b) => a - b);
    const med = s[Math.floor((s.length - 1) / 2)] ?? NaN;
    return `${(s[0] ?? NaN).toFixed(0)}/${med.toFixed(0)}`;
  };
  const median = (xs: readonly number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

  function report(name: string, xs: readonly Sample[], ref?: readonly Sample[], inProcess = false): void {
    const inner = xs.every((x) => x.inner !== undefined)
      ? ` | in-process ${fmt(xs.map((x) => x.inner ?? NaN))} ms`
      : '';
    // the in-process line compares the first plan with AliECS's own load time, both without process start-up
    const key = (x: Sample): number => (inProcess ? (x.inner ?? NaN) : x.wallMs);
    const ratio =
      ref === undefined
        ? ''
        : ` | ×AliECS ${inProcess ? 'load' : 'wall'} ${(median(xs.map(key)) / median(ref.map(key))).toFixed(2)}`;
    console.log(
      `  ${name.padEnd(22)} wall ${fmt(xs.map((x) => x.wallMs))} ms | CPU ${fmt(xs.map((x) => x.cpuMs))} ms | peak RSS ${fmt(xs.map((x) => x.rssMB))} MB${inner}${ratio}`,
    );
  }

  console.log(
    `uptime before: ${uptime().toFixed(0)} s up, load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`,
  );
  console.log(
    `workload: ControlWorkflows ${execFileSync('git', ['--git-dir', CONTROL_WORKFLOWS, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()} readout-dataflow, -e hosts=[N hosts], 5 tasks per host; min/median of ${runs} runs`,
  );
  let tree: string | undefined;
  if (loader !== undefined) {
    tree = join(work, 'ControlWorkflows');
    execFileSync('git', ['clone', '--quiet', CONTROL_WORKFLOWS, tree]);
  } else
    console.log(
      'AliECS reference not available (set AXLE_ALIECS_LOADER to an AliECS loader binary): Axle only',
    );
  try {
    for (const n of sizes) {
      const config = writeConfig(work, n);
      axleCli(bin, n, config); // registers and fetches the mirror once, as a first use does
      const cli: Sample[] = [];
      const alt: Sample[] = [];
      const inproc: (Sample & { warmMs: number })[] = [];
      const ref: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        cli.push(axleCli(bin, n, config));
        if (extraCli !== undefined) alt.push(axleCli(extraCli, n, config));
        inproc.push(axleInProcess(n, config));
        if (loader !== undefined && tree !== undefined) ref.push(aliecs(loader, n, config, tree));
      }
      console.log(`${n} hosts (${n * 5} tasks):`);
      const r = ref.length > 0 ? ref : undefined;
      if (r !== undefined) report('AliECS loader', r);
      report('axle (bin/axle.js)', cli, r);
      if (extraCli !== undefined) report(`axle (${extraCli.split('/').pop()})`, alt, r);
      report('axle in-process 1st', inproc, r, true);
      console.log(`  ${'axle in-process 2nd'.padEnd(22)} ${fmt(inproc.map((x) => x.warmMs))} ms`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`load after: ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);
}
