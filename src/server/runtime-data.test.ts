/**
 * End to end with real OCC tasks on 127.0.0.1: a readout (direct, protobuf OCC) feeding a sink (FairMQ device over
 * OCClite) through the channels Axle wires at CONFIGURE; data flows only while RUNNING; RESET and a second run get a
 * new run number; two environments run at once on disjoint detectors and a third on a used detector is refused; a task
 * hanging in CONFIGURE fails creation after the transition timeout. No process is left afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control, ControlEnvironmentRequest_Optype as Op } from '../gen/protos/o2control_pb.ts';
import { startCore } from './core.ts';
import { waitForAgents } from './testing/agents.ts';
import type { RunningCore } from './core.ts';
import { scaled } from '../common/testing/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MARK = `axle-data-${process.pid}`;
let root = '';
let core: RunningCore | undefined;
let c: Client<typeof Control>;

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'axle-data-'));
  write(join(root, 'repo'), {
    'workflows/chain.yaml': `name: !public chain
defaults: { stats: "${root}/stats", transport: tcp }
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: readout
        bind: [ { name: out, type: push, addressing: "{{ transport }}" } ]
        task: { load: readout }
      - name: sink
        connect: [ { name: in, type: pull, target: "{{ Parent().Path }}.readout:out" } ]
        task: { load: sink }
`,
    'workflows/hang.yaml': `name: hang
vars: { transition_timeout: 1s }
roles:
  - name: h
    constraints: [ { attribute: machine_id, value: "{{ json.Unmarshal(hosts)[0] }}" } ]
    task: { load: hang }
`,
    'tasks/readout.yaml': `name: readout\ncommand: { value: "${ROOT}/examples/tasks/readout", arguments: [ "--rate=200", "--name=${MARK}" ] }\n`,
    'tasks/sink.yaml': `name: sink\ncontrol: { mode: fairmq }\ncommand:\n  value: "${ROOT}/examples/tasks/sink"\n  arguments: [ "--name=${MARK}" ]\n  env: [ "AXLE_TASK_STATS={{ stats }}-{{ it }}.json" ]\n`,
    'tasks/hang.yaml': `name: hang\ncommand: { value: "${process.execPath}", arguments: [ "--import", "tsx", "${join(import.meta.dirname, 'testdata', 'hang-task.ts')}", "${MARK}" ] }\n`,
  });
  write(join(root, 'config'), {
    'config.yaml':
      'o2:\n  hardware:\n    detectors:\n      TPC: { flps: { h1: "" } }\n      ITS: { flps: { h2: "" } }\n',
  });
  core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    config: `file://${root}/config/config.yaml`,
    localAgents: [{ host: 'h1' }, { host: 'h2' }],
  });
  await core.context.repos.add(join(root, 'repo'));
  await waitForAgents(core, 2);
  c = createClient(Control, createGrpcTransport({ baseUrl: core.url, defaultTimeoutMs: scaled(60_000) }));
});

after(async () => {
  await core?.stop();
  rmSync(root, { recursive: true, force: true });
  assert.deepEqual(marked(), [], 'no task process left');
});

function marked(): number[] {
  try {
    return execFileSync('pgrep', ['-f', MARK], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

const frames = (host: string): number => {
  const f = `${root}/stats-${host}.json`;
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { frames: number }).frames : -1;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('data flows from readout to sink only while RUNNING; RESET and a second run get a new run number', async () => {
  for (const transport of ['tcp', 'ipc']) {
    rmSync(`${root}/stats-h1.json`, { force: true });
    const env = await c.newEnvironment({ workflowTemplate: 'chain', vars: { hosts: '["h1"]', transport } });
    const id = env.environment?.id ?? '';
    assert.equal(env.environment?.state, 'CONFIGURED');
    assert.deepEqual(env.environment?.includedDetectors, ['TPC']);
    await sleep(300);
    assert.equal(frames('h1'), -1, 'nothing counted before the run');
    const run1 = await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    await sleep(600);
    await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
    const afterStop = frames('h1');
    assert.ok(afterStop > 20, `${transport}: frames flowed during the run (${afterStop})`);
    await sleep(400);
    await c.controlEnvironment({ id, type: Op.RESET });
    await c.controlEnvironment({ id, type: Op.CONFIGURE });
    const run2 = await c.controlEnvironment({ id, type: Op.START_ACTIVITY });
    assert.ok(run2.currentRunNumber > run1.currentRunNumber, 'a new run number for the second run');
    await sleep(300);
    const stopAsked = Date.now();
    await c.controlEnvironment({ id, type: Op.STOP_ACTIVITY });
    const stopMs = Date.now() - stopAsked;
    const afterSecond = frames('h1');
    assert.ok(
      afterSecond > afterStop,
      `${transport}: frames flowed in the second run (${afterStop} → ${afterSecond})`,
    );
    // Contract: the readout sends nothing once it has acknowledged STOP. The sink and the readout stop concurrently,
    // so frames the readout sent before its acknowledgement (at most the rate × the STOP call's duration) may still
    // reach the sink after it wrote its count at STOP. Waiting at least twice that long before the exit count makes
    // a readout that kept sending exceed the allowance.
    const rate = 200;
    const inFlight = Math.ceil((rate * stopMs) / 1000) + 2;
    await sleep(Math.max(300, 2 * stopMs));
    await c.destroyEnvironment({ id });
    // The sink writes its count again at exit.
    const atExit = frames('h1');
    assert.ok(
      atExit - afterSecond <= inFlight,
      `${transport}: nothing flowed after STOP was acknowledged (${afterSecond} → ${atExit}, at most ${inFlight} in flight during the ${stopMs} ms STOP)`,
    );
  }
});

test('two environments on disjoint detectors at once; a used detector is refused', async () => {
  const a = await c.newEnvironment({ workflowTemplate: 'chain', vars: { hosts: '["h1"]' } });
  const b = await c.newEnvironment({ workflowTemplate: 'chain', vars: { hosts: '["h2"]' } });
  const active = await c.getActiveDetectors({});
  assert.deepEqual(active.detectors, ['ITS', 'TPC']);
  await assert.rejects(
    c.newEnvironment({ workflowTemplate: 'chain', vars: { hosts: '["h1"]' } }),
    /detector TPC is already in use/,
  );
  const ids = [a.environment?.id ?? '', b.environment?.id ?? ''];
  await Promise.all(ids.map((id) => c.controlEnvironment({ id, type: Op.START_ACTIVITY })));
  const list = await c.getEnvironments({});
  assert.deepEqual(list.environments.map((e) => e.state).sort(), ['RUNNING', 'RUNNING']);
  for (const id of ids) await c.destroyEnvironment({ id, allowInRunningState: true });
  assert.deepEqual((await c.getEnvironments({})).environments, []);
});

test('a task hanging in CONFIGURE fails creation after the transition timeout, leaving nothing behind', async () => {
  const t0 = Date.now();
  await assert.rejects(
    c.newEnvironment({ workflowTemplate: 'hang', vars: { hosts: '["h2"]' } }),
    /CONFIGURE/,
  );
  assert.ok(Date.now() - t0 < scaled(15_000), `creation failed after ${Date.now() - t0} ms`);
  assert.deepEqual((await c.getEnvironments({})).environments, []);
  await sleep(500);
  assert.deepEqual(marked(), []);
});
