import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeCore } from '../agent/fake-core.ts';
import { eventually, survivors, tempDir } from '../agent/test-fixtures.ts';
import { bundleAgent } from './agent-bundle.ts';
import { LocalEngine } from './local-engine.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const dir = tempDir('axle-engine-');
const core = new FakeCore({ heartbeatIntervalMs: 200 });
const engines: LocalEngine[] = [];
let listening: Promise<void> | undefined;
/** Starts the fake core once for all tests. */
const listen = (): Promise<void> => (listening ??= core.listen());
const pids: number[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  await core.close();
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

test('agents in two processes register; stop() ends the agents and their tasks', async () => {
  await listen();
  const engine = await LocalEngine.start({
    coreUrl: `127.0.0.1:${core.port}`,
    agents: [{ host: 'flp001', cpu: 2 }, { host: 'flp002' }, { host: 'flp003', attributes: { k: 'v' } }],
    processes: 2,
    stateDir: dir.path,
  });
  engines.push(engine);
  const agentPids = engine.pids();
  pids.push(...agentPids);
  assert.equal(agentPids.length, 2);
  await eventually(
    () => ['flp001', 'flp002', 'flp003'].every((h) => core.live(h) !== undefined),
    15_000,
    'Hellos',
  );
  assert.equal(core.live('flp001')?.hello.cpu, 2);
  assert.deepEqual(core.live('flp003')?.hello.attributes, { k: 'v' });

  const stream = core.live('flp001');
  assert.ok(stream !== undefined);
  const basic = { controlMode: 'basic', command: { value: 'sleep', arguments: ['60'] } };
  await stream.command({
    id: 'l',
    op: { case: 'launch', value: { taskId: 't', environmentId: 'e', ...basic } },
  });
  await stream.command({ id: 'c', op: { case: 'transition', value: { taskId: 't', event: 'CONFIGURE' } } });
  const started = await stream.command({
    id: 's',
    op: { case: 'transition', value: { taskId: 't', event: 'START' } },
  });
  const taskPid = started.kind.case === 'result' ? started.kind.value.pid : 0;
  assert.ok(taskPid > 0);
  pids.push(taskPid);
  assert.deepEqual(survivors([taskPid]), [taskPid]);

  await engine.stop();
  assert.deepEqual(engine.pids(), []);
  assert.deepEqual(survivors([...agentPids, taskPid]), []);
});

test('the bundled agent (npm run build) runs with its lean V8 settings and drives a real OCC task', async () => {
  await listen();
  const bundle = join(dir.path, 'axle-agent.mjs');
  await bundleAgent(bundle);
  const engine = await LocalEngine.start({
    coreUrl: `127.0.0.1:${core.port}`,
    agents: [{ host: 'lean001' }],
    stateDir: dir.path,
    compiled: true,
    agentBundle: bundle,
  });
  engines.push(engine);
  pids.push(...engine.pids());
  const cmdline = readFileSync(`/proc/${engine.pids()[0] ?? 0}/cmdline`, 'utf8').split('\0');
  assert.ok(cmdline.includes(bundle) && cmdline.includes('--expose-gc'), cmdline.join(' '));
  await eventually(() => core.live('lean001') !== undefined, 15_000, 'Hello from the bundled agent');
  const stream = core.live('lean001');
  assert.ok(stream !== undefined);
  const readout = { controlMode: 'direct', command: { value: join(ROOT, 'examples', 'tasks', 'readout') } };
  const launched = await stream.command({
    id: 'l',
    op: { case: 'launch', value: { taskId: 'r', environmentId: 'e', ...readout } },
  });
  assert.ok(launched.kind.case === 'result' && launched.kind.value.ok, 'launched');
  pids.push(launched.kind.value.pid);
  for (const [event, state] of [
    ['CONFIGURE', 'CONFIGURED'],
    ['START', 'RUNNING'],
  ] as const) {
    const r = await stream.command({ id: event, op: { case: 'transition', value: { taskId: 'r', event } } });
    assert.equal(r.kind.case === 'result' ? r.kind.value.state : '', state);
  }
  await engine.stop();
  assert.deepEqual(survivors(pids), []);
});
