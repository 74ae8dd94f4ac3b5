/**
 * Restart benchmark: a core (child process, local engine, posing agents in 4 processes, simulated tasks) runs
 * `envs` environments of `perEnv` simulated tasks each (default 50 × 80 = 4,000 tasks), all RUNNING; the core is
 * killed with SIGKILL and started again on the same state directory and port. Measured from the new core's spawn:
 * listening (environments restored from SQLite) and every task re-adopted (its agent reconnected and listed it).
 * Usage: node --import tsx bench/restart.ts [envs=50] [tasksPerEnv=80]
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { readRecords } from '../src/engine/agent-records.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../src/gen/protos/o2control_pb.ts';
import type { CoreProcessOptions } from '../src/server/testing/core-process.ts';

const envs = Number(process.argv[2] ?? '50');
const perEnv = Number(process.argv[3] ?? '80');
const ROOT = join(import.meta.dirname, '..');
const ENTRY = join(ROOT, 'src', 'server', 'testing', 'core-process.ts');

interface Child {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly spawnedAt: number;
  /** performance.now() when a line matching the pattern first appeared. */
  readonly seen: Map<string, number>;
}

function repo(dir: string): void {
  const files: Record<string, string> = {
    'workflows/bench.yaml': `name: bench
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: "t{{ i }}"
        for: { begin: "1", end: "${perEnv}", var: i }
        task: { load: sim }
`,
    'tasks/sim.yaml': 'name: sim\ncommand: { value: /bin/true }\nproperties: { index: "{{ i }}" }\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

function launch(options: CoreProcessOptions): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: Child = { child, lines: [], spawnedAt: performance.now(), seen: new Map() };
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      out.lines.push(line);
      if (line.startsWith('READY ')) out.seen.set('ready', performance.now());
    }
  });
  return out;
}

/** Tasks re-attached so far, from the core's `agent … connected (…, N running task(s) re-attached)` lines. */
function reattached(c: Child): number {
  let n = 0;
  for (const line of c.lines) {
    const m = / agent \S+ connected \(.*, (\d+) running task\(s\) re-attached\)/.exec(line);
    if (m !== null) n += Number(m[1]);
  }
  return n;
}

async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'axle-bench-restart-'));
  repo(join(root, 'repo'));
  const port = await freePort();
  const hosts = Array.from({ length: envs }, (_, i) => `flp${String(i + 1).padStart(3, '0')}`);
  const options: CoreProcessOptions = {
    repo: join(root, 'repo'),
    core: {
      stateDir: join(root, 'state'),
      port,
      localAgents: hosts.map((host) => ({ host })),
      agentProcesses: 4,
      simulatedTasks: true,
      agentsOutliveCore: true,
    },
  };
  let core = launch(options);
  try {
    await until(() => core.seen.has('ready'), 60_000, 'the first core');
    await until(
      () => core.lines.filter((l) => / agent flp\d+ connected/.test(l)).length >= envs,
      60_000,
      'the agents',
    );
    const url = `http://127.0.0.1:${port}`;
    const c = createClient(Control, createGrpcTransport({ baseUrl: url, defaultTimeoutMs: 600_000 }));
    for (let i = 0; i < hosts.length; i += 10) {
      const batch = hosts.slice(i, i + 10);
      const ids = await Promise.all(
        batch.map(
          async (h) =>
            (await c.newEnvironment({ workflowTemplate: 'bench', vars: { hosts: `["${h}"]` } })).environment
              ?.id ?? '',
        ),
      );
      await Promise.all(ids.map((id) => c.controlEnvironment({ id, type: Op.START_ACTIVITY })));
    }
    core.child.kill('SIGKILL');
    await new Promise((r) => core.child.once('exit', r));
    core = launch(options);
    await until(() => core.seen.has('ready'), 120_000, 'the restarted core to listen');
    await until(() => reattached(core) >= envs * perEnv, 300_000, 'every task re-adopted');
    const adoptedMs = performance.now() - core.spawnedAt;
    const readyMs = (core.seen.get('ready') ?? 0) - core.spawnedAt;
    const restored = /restored=(\d+)/.exec(core.lines.find((l) => l.startsWith('READY ')) ?? '')?.[1];
    console.log(
      `restart: ${envs} environments (RUNNING) × ${perEnv} simulated tasks = ${envs * perEnv} tasks, ` +
        `${envs} posing agents in 4 processes`,
    );
    console.log(`  restored environments: ${restored ?? '?'}`);
    console.log(`  spawn → listening (environments restored): ${Math.round(readyMs)} ms`);
    console.log(`  spawn → all ${reattached(core)} tasks re-adopted: ${Math.round(adoptedMs)} ms`);
    console.log(`  uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  } finally {
    core.child.kill('SIGTERM');
    await new Promise((r) => core.child.once('exit', r));
    for (const p of readRecords(join(root, 'state'))?.processes ?? []) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

await main();
