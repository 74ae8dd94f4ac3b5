/**
 * Runtime benchmark. (a) 1 host × 20 real demo tasks (readout processes): create-to-CONFIGURED, START, STOP, destroy.
 * (b) the control plane at scale: N posing hosts × 20 simulated tasks over the real agent protocol, as 10 bound/
 * connected TCP channel pairs per host (so CONFIGURE resolves every peer address), for N = 10, 50 and 200 (200, 1,000
 * and 4,000 tasks; agents in 4 processes of the bundled agent). Per size, the core runs
 * in this process and every figure is repeated (min/median): DEPLOY, CONFIGURE, START, STOP, destroy, the core CPU
 * spent on a burst of END_OF_STREAM updates from every task, and peak memory of the core and of the agent processes.
 * Usage: node --import tsx bench/runtime.ts [hosts=10,50,200] [tasksPerHost=20]
 * Environment: AXLE_BENCH=a|b|ab (default ab), AXLE_BENCH_RUNS (default 3), AXLE_COMPILED_AGENTS=0 (agents through tsx
 * instead of `dist/axle-agent.mjs`, which this benchmark bundles from the current sources first).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { bundleAgent } from '../src/engine/agent-bundle.ts';
import { AGENT_BUNDLE } from '../src/engine/agent-entry.ts';
import { TaskUpdateSchema } from '../src/gen/axle/agent/v1/agent_pb.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../src/gen/protos/o2control_pb.ts';
import { startCore } from '../src/server/core.ts';
import type { RunningCore } from '../src/server/core.ts';
import { waitForAgents } from '../src/server/testing/agents.ts';
import { transitionMarks } from './transition-marks.ts';

const sizes = (process.argv[2] ?? '10,50,200').split(',').map(Number);
const perHost = Number(process.argv[3] ?? '20');
const runs = Number(process.env['AXLE_BENCH_RUNS'] ?? '3');
const ROOT = join(import.meta.dirname, '..');

function repo(dir: string, mode: 'simulated' | 'real'): void {
  const pairs = Math.max(1, Math.floor(perHost / 2));
  const files: Record<string, string> = {
    'workflows/bench.yaml': `name: bench
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: "t{{ i }}"
        for: { begin: "1", end: "${perHost}", var: i }
        task: { load: ${mode === 'real' ? 'readout' : 'sim'} }
`,
    'workflows/pairs.yaml': `name: pairs
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: "p{{ i }}"
        for: { begin: "1", end: "${pairs}", var: i }
        roles:
          - name: out
            bind: [ { name: data, type: push, addressing: tcp } ]
            task: { load: sim }
          - name: in
            connect: [ { name: data, type: pull, target: "{{ Parent().Path }}.out:data" } ]
            task: { load: sim }
`,
    'tasks/sim.yaml': 'name: sim\ncommand: { value: /bin/true }\nproperties: { index: "{{ i }}" }\n',
    'tasks/readout.yaml': `name: readout\ncommand: { value: "${join(ROOT, 'examples', 'tasks', 'readout')}", arguments: [ "--rate=10" ] }\n`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** Peak (VmHWM) or current (VmRSS) resident memory of a process in MB, from /proc (no child process). */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Math.round(Number(m?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number, number]> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await f();
  const c = process.cpuUsage(c0);
  return [r, Math.round(performance.now() - t0), Math.round((c.user + c.system) / 1000)];
}

/** Core CPU (user + system) in ms spent by `f`, including the callbacks it waits for. */
async function cpuMs(f: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await f();
  const d = process.cpuUsage(before);
  return Math.round((d.user + d.system) / 1000);
}

/** CPU (user + system) in ms used so far by the processes `pids`, from /proc (clock ticks of 10 ms). */
function processesCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * 10;
}

const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

export function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'uptime unavailable';
  }
}

type Figures = Record<string, number>;

async function startBenchCore(root: string, nHosts: number, mode: 'simulated' | 'real', processes: number) {
  const agents = Array.from({ length: nHosts }, (_, i) => ({ host: `flp${String(i + 1).padStart(3, '0')}` }));
  const compiledAgents = process.env['AXLE_COMPILED_AGENTS'] !== '0';
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: agents,
    agentProcesses: processes,
    simulatedTasks: mode === 'simulated',
    compiledAgents,
  });
  await core.context.repos.add(join(root, 'repo'));
  await waitForAgents(core, nHosts, 120_000);
  const c = createClient(Control, createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: 300_000 }));
  return { core, c, hostsVar: JSON.stringify(agents.map((a) => a.host)), compiledAgents };
}

/** One create/START/STOP/START/END_OF_STREAM burst/destroy cycle of `workflow`. */
async function cycle(
  core: RunningCore,
  c: Client<typeof Control>,
  workflow: string,
  hostsVar: string,
): Promise<Figures> {
  const marks = transitionMarks(core.context.bus);
  const pids = core.engine?.pids() ?? [];
  const agents0 = processesCpuMs(pids);
  const [created, create, createCpu] = await timed(() =>
    c.newEnvironment({ workflowTemplate: workflow, vars: { hosts: hostsVar } }),
  );
  const id = created.environment?.id ?? '';
  const mem = process.memoryUsage();
  const [, start, startCpu] = await timed(() => c.controlEnvironment({ id, type: Op.START_ACTIVITY }));
  const [, stop, stopCpu] = await timed(() => c.controlEnvironment({ id, type: Op.STOP_ACTIVITY }));
  const agentsCpu = processesCpuMs(pids) - agents0;
  const deploy = marks.span('DEPLOY');
  const configure = marks.span('CONFIGURE');
  const deployCpu = marks.cpu('DEPLOY');
  const configureCpu = marks.cpu('CONFIGURE');
  await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
  const eos = await endOfStreamBurst(core, id);
  const [, destroy, destroyCpu] = await timed(() => c.destroyEnvironment({ id }));
  marks.stop();
  return {
    create,
    deploy,
    configure,
    start,
    stop,
    ...eos,
    destroy,
    createCpu,
    startCpu,
    stopCpu,
    destroyCpu,
    deployCpu,
    configureCpu,
    agentsCpu,
    rssCreated: Math.round(mem.rss / 2 ** 20),
    heapCreated: Math.round(mem.heapUsed / 2 ** 20),
  };
}

/**
 * END_OF_STREAM from every task but one, as the agents report them (one message per host), fed where agent reports
 * enter the core: core CPU until every update is handled. The last one then drives the automatic STOP_ACTIVITY.
 */
async function endOfStreamBurst(core: RunningCore, id: string): Promise<Figures> {
  const env = core.context.manager.get(id);
  const byHost = new Map<string, string[]>();
  for (const t of env.workTasks()) byHost.set(t.host, [...(byHost.get(t.host) ?? []), t.taskId]);
  const batches = [...byHost.values()];
  const last = batches.at(-1)?.pop();
  const report = (taskId: string): void =>
    core.context.registry.report(create(TaskUpdateSchema, { taskId, event: 'END_OF_STREAM' }));
  const eosCpu = await cpuMs(async () => {
    for (const b of batches) {
      for (const taskId of b) report(taskId);
      await immediate();
    }
  });
  const stopped = new Promise<void>((resolve) => {
    const off = core.context.bus.subscribe((e) => {
      if (e.event.kind === 'environment' && e.event.environmentId === id && e.event.state === 'CONFIGURED') {
        off();
        resolve();
      }
    });
  });
  const [, autoStop] = await timed(async () => {
    if (last !== undefined) report(last);
    await stopped;
  });
  return { eosUpdates: env.workTasks().length, eosCpu, autoStop };
}

function summary(all: readonly Figures[], key: string): string {
  const v = all.map((f) => f[key] ?? NaN).sort((a, b) => a - b);
  return `${v[0]}/${v[Math.floor((v.length - 1) / 2)]}`;
}

async function scaled(nHosts: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-bench-'));
  repo(join(root, 'repo'), 'simulated');
  const { core, c, hostsVar, compiledAgents } = await startBenchCore(root, nHosts, 'simulated', 4);
  try {
    const idleRss = rssMb(process.pid, 'VmRSS');
    const all: Figures[] = [];
    let runningCore = 0;
    for (let i = 0; i < runs; i++) {
      all.push(await cycle(core, c, 'pairs', hostsVar));
      runningCore = Math.max(runningCore, rssMb(process.pid, 'VmRSS'));
    }
    const peakCore = rssMb(process.pid);
    const peakAgents = Math.max(0, ...(core.engine?.pids() ?? []).map((p) => rssMb(p)));
    const tasks = nHosts * perHost;
    const s = (k: string): string => summary(all, k);
    console.log(
      `(b) ${nHosts} hosts × ${perHost} simulated tasks = ${tasks} tasks (${tasks / 2} TCP channel pairs), 4 agent processes${compiledAgents ? ' (bundled agent)' : ' (tsx)'}, ${runs} runs, min/median ms`,
    );
    console.log(
      `  create ${s('create')} (DEPLOY ${s('deploy')}, CONFIGURE ${s('configure')}) | START ${s('start')} | STOP ${s('stop')} | destroy ${s('destroy')}`,
    );
    console.log(
      `  core CPU ms: create ${s('createCpu')} (DEPLOY ${s('deployCpu')}, CONFIGURE ${s('configureCpu')}) | START ${s('startCpu')} | STOP ${s('stopCpu')} | destroy ${s('destroyCpu')} | agent processes' CPU from create to STOP ${s('agentsCpu')}`,
    );
    console.log(
      `  ${all[0]?.['eosUpdates']} END_OF_STREAM updates: core CPU ${s('eosCpu')} ms | then the automatic STOP ${s('autoStop')} ms`,
    );
    console.log(
      `  core (in the benchmark process, with tsx and the client): RSS ${idleRss} MB with the agents connected, ${s('rssCreated')} MB with the environment created (heap used ${s('heapCreated')} MB), ${runningCore} MB after a cycle, ${peakCore} MB peak so far | largest agent process peak ${peakAgents} MB`,
    );
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function realTasks(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-bench-'));
  repo(join(root, 'repo'), 'real');
  const { core, c, hostsVar, compiledAgents } = await startBenchCore(root, 1, 'real', 1);
  try {
    const marks = transitionMarks(core.context.bus);
    const [created, create] = await timed(() =>
      c.newEnvironment({ workflowTemplate: 'bench', vars: { hosts: hostsVar } }),
    );
    const id = created.environment?.id ?? '';
    const [, start] = await timed(() => c.controlEnvironment({ id, type: Op.START_ACTIVITY }));
    const [, stop] = await timed(() => c.controlEnvironment({ id, type: Op.STOP_ACTIVITY }));
    const runningAgent = Math.max(0, ...(core.engine?.pids() ?? []).map((p) => rssMb(p, 'VmRSS')));
    const [, destroy] = await timed(() => c.destroyEnvironment({ id }));
    marks.stop();
    const peakAgent = Math.max(0, ...(core.engine?.pids() ?? []).map((p) => rssMb(p)));
    console.log(
      `(a) 1 host × ${perHost} real demo tasks, 1 agent process${compiledAgents ? ' (bundled agent)' : ' (tsx)'}`,
    );
    console.log(
      `  create ${create} ms (DEPLOY ${marks.span('DEPLOY')} ms, CONFIGURE ${marks.span('CONFIGURE')} ms) | START ${start} ms | STOP ${stop} ms | destroy ${destroy} ms`,
    );
    console.log(`  agent process: peak RSS ${peakAgent} MB (${runningAgent} MB while running)`);
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

const which = process.env['AXLE_BENCH'] ?? 'ab';
// Agents run from a bundle of the current sources (engines fall back to tsx when the bundle is older than them).
if (process.env['AXLE_COMPILED_AGENTS'] !== '0') await bundleAgent(AGENT_BUNDLE);
console.log(`runtime benchmark; load before: ${uptime()}`);
if (which.includes('a')) await realTasks();
if (which.includes('b')) for (const n of sizes) await scaled(n);
console.log(`load after: ${uptime()}`);
