/**
 * A core that survives its own restart, with real processes: the core runs as a child process on a fixed port with
 * local agents; environments in several states (RUNNING with data flowing, CONFIGURED, ERROR, and one in the middle of
 * a START whose hook sleeps) are left behind by a SIGKILL of the core, one task is killed while the core is down, and
 * a new core on the same state directory takes over: states, run number, task PIDs and data flow are as before, the
 * dead task puts its environment in ERROR, the interrupted START leaves ERROR "core restarted during START_ACTIVITY",
 * run numbers are not reused, and STOP, destroy and a normal stop (SIGTERM) then leave no process behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { timeScale } from '../common/testing/time-scale.ts';
import { readRecords } from '../engine/agent-records.ts';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import type { CoreProcessOptions } from './testing/core-process.ts';
import { marked, until } from './testing/liveness-fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(import.meta.dirname, 'testing', 'core-process.ts');
const MARK = `axle-restart-${process.pid}`;
const T = timeScale();
let root = '';
let port = 0;

interface CoreChild {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'axle-restart-'));
  const chainRoles = `  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: readout
        bind: [ { name: out, type: push, addressing: tcp } ]
        task: { load: readout }
      - name: sink
        connect: [ { name: in, type: pull, target: "{{ Parent().Path }}.readout:out" } ]
        task: { load: sink }
`;
  write(join(root, 'repo'), {
    'workflows/chain.yaml': `name: chain\ndefaults: { stats: "${root}/stats" }\nroles:\n${chainRoles}`,
    'workflows/slowstart.yaml': `name: slowstart\ndefaults: { stats: "${root}/stats" }\nroles:\n${chainRoles}  - name: nap
    task: { load: nap, trigger: before_START_ACTIVITY+10, timeout: 60s }
`,
    'tasks/readout.yaml': `name: readout\ncommand: { value: "${ROOT}/examples/tasks/readout", arguments: [ "--rate=200", "--name=${MARK}" ] }\n`,
    'tasks/sink.yaml': `name: sink\ncontrol: { mode: fairmq }\ncommand:\n  value: "${ROOT}/examples/tasks/sink"\n  arguments: [ "--name=${MARK}" ]\n  env: [ "AXLE_TASK_STATS={{ stats }}-{{ it }}.json" ]\n`,
    'tasks/nap.yaml': `name: nap\ncontrol: { mode: basic }\ncommand:\n  shell: true\n  value: "exec ${process.execPath} -e 'setTimeout(() => {}, 20000)' ${MARK}-nap"\n`,
  });
  write(join(root, 'config'), {
    'config.yaml':
      'o2:\n  hardware:\n    detectors:\n      TPC: { flps: { h1: "" } }\n      ITS: { flps: { h2: "" } }\n' +
      '      TRD: { flps: { h3: "" } }\n      TOF: { flps: { h4: "" } }\n',
  });
  port = await freePort();
});

after(() => {
  for (const pid of [...marked(root), ...marked(MARK)]) kill(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** Starts the core child process on the test's port and state directory; resolves once it listens. */
async function launch(state = 'state', graceMs = 20_000 * T): Promise<CoreChild> {
  const options: CoreProcessOptions = {
    repo: join(root, 'repo'),
    core: {
      stateDir: join(root, state),
      port,
      config: `file://${root}/config/config.yaml`,
      localAgents: [{ host: 'h1' }, { host: 'h2' }, { host: 'h3' }, { host: 'h4' }],
      restoreGraceMs: graceMs,
      agentsOutliveCore: true,
    },
  };
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  await until(
    () => lines.some((l) => l.startsWith('READY ')),
    60_000 * T,
    'the core child process to listen',
  );
  const url = (lines.find((l) => l.startsWith('READY ')) ?? '').split(' ')[1] ?? '';
  return { child, url, lines, exited };
}

async function agentsConnected(core: CoreChild): Promise<void> {
  const hosts = ['h1', 'h2', 'h3', 'h4'];
  await until(
    () => hosts.every((h) => core.lines.some((l) => l.includes(` agent ${h} connected`))),
    60_000 * T,
    'the four local agents to connect',
  );
}

function client(url: string): Client<typeof Control> {
  return createClient(Control, createGrpcTransport({ baseUrl: url, defaultTimeoutMs: 60_000 * T }));
}

async function envOf(
  c: Client<typeof Control>,
  id: string,
): Promise<{ state: string; run: number; pids: number[] }> {
  const r = await c.getEnvironment({ id });
  const env = r.environment;
  return {
    state: env?.state ?? '',
    run: env?.currentRunNumber ?? -1,
    pids: (env?.tasks ?? [])
      .map((t) => Number(t.pid))
      .filter((p) => p > 0)
      .sort((a, b) => a - b),
  };
}

/** Frames the sink on `host` counted (it writes them at STOP). */
const frames = (host: string): number => {
  const f = `${root}/stats-${host}.json`;
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { frames: number }).frames : -1;
};

test('a core killed with SIGKILL comes back with its environments, tasks and run numbers', async () => {
  let core = await launch();
  let c = client(core.url);
  const create = async (workflow: string, host: string): Promise<string> =>
    (await c.newEnvironment({ workflowTemplate: workflow, vars: { hosts: `["${host}"]` } })).environment
      ?.id ?? '';
  await agentsConnected(core);
  const [running, configured, failed, starting] = await Promise.all([
    create('chain', 'h1'),
    create('chain', 'h2'),
    create('chain', 'h3'),
    create('slowstart', 'h4'),
  ]);
  const failedPids = (await envOf(c, failed)).pids;
  kill(failedPids[0] ?? 0, 'SIGKILL');
  await until(
    async () => (await envOf(c, failed)).state === 'ERROR',
    30_000 * T,
    'the third environment in ERROR',
  );
  void c.controlEnvironment({ id: starting, type: Op.START_ACTIVITY }).catch(() => undefined);
  await until(
    () => marked(`${MARK}-nap`).length > 0,
    30_000 * T,
    'the START hook of the fourth environment to run',
  );
  const startedAt = Date.now();
  const run1 = (await c.controlEnvironment({ id: running, type: Op.START_ACTIVITY })).currentRunNumber;
  const before = await envOf(c, running);
  const configuredPids = (await envOf(c, configured)).pids;
  const agents = readRecords(join(root, 'state'))?.processes.map((p) => p.pid) ?? [];
  core.child.kill('SIGKILL');
  await core.exited;
  assert.ok(agents.length > 0 && agents.every(alive), 'the agent processes outlive the killed core');
  assert.ok(
    before.pids.length === 2 && before.pids.every(alive),
    'the running tasks outlive the killed core',
  );
  kill(configuredPids[0] ?? 0, 'SIGKILL');
  rmSync(join(root, 'state', 'run-numbers'), { recursive: true, force: true });

  core = await launch();
  c = client(core.url);
  assert.match(core.lines.join('\n'), /restored=4/);
  const now = await envOf(c, running);
  assert.deepEqual(
    [now.state, now.run, now.pids],
    ['RUNNING', run1, before.pids],
    'RUNNING, same run and PIDs',
  );
  assert.equal((await envOf(c, failed)).state, 'ERROR');
  const interrupted = await envOf(c, starting);
  assert.deepEqual([interrupted.state, interrupted.run], ['ERROR', 0], 'the interrupted START ends in ERROR');
  assert.match(
    core.lines.join('\n'),
    new RegExp(`environment ${starting} \\(ERROR\\).*core restarted during START_ACTIVITY`),
  );
  assert.deepEqual(
    readRecords(join(root, 'state'))?.processes.map((p) => p.pid),
    agents,
    'the agents of the killed core are adopted, none started twice',
  );
  await until(
    async () => (await envOf(c, configured)).state === 'ERROR',
    30_000 * T,
    'the environment whose task died while the core was away to go to ERROR',
  );
  assert.match(
    core.lines.join('\n'),
    new RegExp(
      `environment ${configured} \\(\\w+\\) GO_ERROR: .*critical task 'chain\\.host-h2\\.\\w+' on host 'h2' ` +
        'transitioned to ERROR: task was in ERROR when the agent on host h2 reported it again',
    ),
  );
  assert.deepEqual((await envOf(c, running)).pids, before.pids, 'the re-attached tasks keep their PIDs');
  await new Promise((r) => setTimeout(r, 3000));
  await c.controlEnvironment({ id: running, type: Op.STOP_ACTIVITY });
  const seconds = (Date.now() - startedAt) / 1000;
  assert.equal((await envOf(c, running)).state, 'CONFIGURED');
  assert.ok(
    frames('h1') > 100 * seconds,
    `data flowed through the restart: ${frames('h1')} frames at 200/s over the ${seconds} s run`,
  );
  const run2 = (await c.controlEnvironment({ id: running, type: Op.START_ACTIVITY })).currentRunNumber;
  assert.ok(run2 > run1, `run ${run2} is above run ${run1} although the run-number store was lost`);
  await c.controlEnvironment({ id: running, type: Op.STOP_ACTIVITY });
  const allPids = [...before.pids, ...(await envOf(c, starting)).pids];
  for (const id of [running, configured, failed, starting]) await c.destroyEnvironment({ id });
  assert.deepEqual(allPids.filter(alive), [], 'destroy leaves no task process');
  assert.deepEqual(marked(MARK), [], 'no task process of any environment is left');

  core.child.kill('SIGTERM');
  assert.equal(await core.exited, 0, 'a normal stop exits 0');
  await until(() => !agents.some(alive), 15_000 * T, 'the agents to end with a normal stop');
  assert.equal(readRecords(join(root, 'state')), undefined, 'a normal stop clears the agent records');
});

test('agents that died with the core are started anew; tasks no agent reports are lost after the grace time', async () => {
  const state = join(root, 'state-2');
  let core = await launch('state-2', 3000 * T);
  let c = client(core.url);
  await agentsConnected(core);
  const id =
    (await c.newEnvironment({ workflowTemplate: 'chain', vars: { hosts: '["h1"]' } })).environment?.id ?? '';
  const pids = (await envOf(c, id)).pids;
  const agents = readRecords(state)?.processes.map((p) => p.pid) ?? [];
  core.child.kill('SIGKILL');
  await core.exited;
  for (const pid of agents) kill(pid, 'SIGKILL');
  await until(
    () => ![...agents, ...pids].some(alive),
    15_000 * T,
    'the agents and (by their reaper) their tasks to end',
  );

  core = await launch('state-2', 3000 * T);
  c = client(core.url);
  await agentsConnected(core);
  const fresh = readRecords(state)?.processes.map((p) => p.pid) ?? [];
  assert.ok(
    fresh.length > 0 && fresh.every((p) => !agents.includes(p) && alive(p)),
    'dead agents are started anew',
  );
  assert.equal(
    (await envOf(c, id)).state,
    'CONFIGURED',
    'restored in its state while the agents may come back',
  );
  await until(
    async () => (await envOf(c, id)).state === 'ERROR',
    30_000 * T,
    'the unreported tasks to be lost',
  );
  assert.match(
    core.lines.join('\n'),
    /critical task 'chain\.host-h1\.\w+' on host 'h1' transitioned to ERROR: task not reported by the agent on host h1 within \d+ ms after the core restarted/,
  );
  await c.destroyEnvironment({ id });
  core.child.kill('SIGTERM');
  assert.equal(await core.exited, 0, 'a normal stop exits 0');
  await until(() => !fresh.some(alive), 15_000 * T, 'the agents to end with a normal stop');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    if (pid > 0) process.kill(pid, signal);
  } catch {
    // Gone already.
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
