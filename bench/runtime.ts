/**
 * Runtime benchmark. (a) 1 host × 20 real demo tasks (readout processes): create-to-CONFIGURED, START, STOP, destroy.
 * (b) N posing hosts × 20 simulated tasks (default 200 × 20 = 4,000 tasks, agents in 4 processes): DEPLOY+CONFIGURE
 * (creation), START, STOP, teardown, and peak memory of the core and of the agent processes.
 * Usage: node --import tsx bench/runtime.ts [hosts=200] [tasksPerHost=20]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AGENT_BUNDLE } from '../src/engine/agent-entry.ts';
import { transitionMarks } from './transition-marks.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../src/gen/protos/o2control_pb.ts';
import { startCore } from '../src/server/core.ts';
import { waitForAgents } from '../src/server/testing/agents.ts';

const hosts = Number(process.argv[2] ?? '200');
const perHost = Number(process.argv[3] ?? '20');
const ROOT = join(import.meta.dirname, '..');

function repo(dir: string, mode: 'simulated' | 'real'): void {
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
    'tasks/sim.yaml': 'name: sim\ncommand: { value: /bin/true }\nproperties: { index: "{{ i }}" }\n',
    'tasks/readout.yaml': `name: readout\ncommand: { value: "${join(ROOT, 'examples', 'tasks', 'readout')}", arguments: [ "--rate=10" ] }\n`,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** Peak (VmHWM) or current (VmRSS) resident memory of a process in MB, from /proc (no child process). */
function peakRssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Math.round(Number(m?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, Math.round(performance.now() - t0)];
}

async function scenario(
  name: string,
  nHosts: number,
  mode: 'simulated' | 'real',
  processes: number,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-bench-'));
  repo(join(root, 'repo'), mode);
  const agents = Array.from({ length: nHosts }, (_, i) => ({ host: `flp${String(i + 1).padStart(3, '0')}` }));
  const compiledAgents = process.env['AXLE_COMPILED_AGENTS'] === '1';
  if (compiledAgents && !existsSync(AGENT_BUNDLE))
    throw new Error(
      `AXLE_COMPILED_AGENTS=1 needs the bundled agent ${AGENT_BUNDLE}: run npm run build first`,
    );
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    localAgents: agents,
    agentProcesses: processes,
    simulatedTasks: mode === 'simulated',
    compiledAgents,
  });
  try {
    await core.context.repos.add(join(root, 'repo'));
    await waitForAgents(core, nHosts, 60_000);
    const c = createClient(Control, createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: 300_000 }));
    const hostsVar = JSON.stringify(agents.map((a) => a.host));
    const marks = transitionMarks(core.context.bus);
    const span = (t: string): number => marks.span(t);
    const [created, create] = await timed(() =>
      c.newEnvironment({ workflowTemplate: 'bench', vars: { hosts: hostsVar } }),
    );
    const id = created.environment?.id ?? '';
    const [, start] = await timed(() => c.controlEnvironment({ id, type: Op.START_ACTIVITY }));
    await new Promise((r) => setTimeout(r, 1000));
    const runningAgents = Math.max(0, ...(core.engine?.pids() ?? []).map((p) => peakRssMb(p, 'VmRSS')));
    const [, stop] = await timed(() => c.controlEnvironment({ id, type: Op.STOP_ACTIVITY }));
    const [, destroy] = await timed(() => c.destroyEnvironment({ id }));
    marks.stop();
    const peakCore = Math.round(process.resourceUsage().maxRSS / 1024);
    const peakAgents = Math.max(0, ...(core.engine?.pids() ?? []).map((p) => peakRssMb(p)));
    const tasks = nHosts * perHost;
    console.log(
      `${name}: ${nHosts} host(s) × ${perHost} ${mode} tasks = ${tasks} tasks, ${processes} agent process(es)${compiledAgents ? ', compiled agents' : ''}`,
    );
    console.log(
      `  create ${create} ms (DEPLOY ${span('DEPLOY')} ms, CONFIGURE ${span('CONFIGURE')} ms) | START ${start} ms | STOP ${stop} ms | destroy ${destroy} ms`,
    );
    console.log(
      `  peak RSS: core ${peakCore} MB, largest agent process ${peakAgents} MB (${runningAgents} MB while running)`,
    );
  } finally {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

const which = process.env['AXLE_BENCH'] ?? 'ab';
if (which.includes('a')) await scenario('(a) real tasks', 1, 'real', 1);
if (which.includes('b')) await scenario('(b) simulated tasks', hosts, 'simulated', 4);
