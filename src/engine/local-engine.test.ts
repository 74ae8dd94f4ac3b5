import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeCore } from '../agent/fake-core.ts';
import { eventually, survivors, tempDir } from '../agent/test-fixtures.ts';
import { LocalEngine } from './local-engine.ts';

const dir = tempDir('axle-engine-');
const core = new FakeCore({ heartbeatIntervalMs: 200 });
const engines: LocalEngine[] = [];
const pids: number[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  await core.close();
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

test('agents in two processes register; stop() ends the agents and their tasks', async () => {
  await core.listen();
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
