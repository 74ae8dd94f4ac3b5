import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeCore } from './fake-core.ts';
import { runAgent, runAgents } from './run-agent.ts';
import type { RunningAgent, RunningAgents } from './run-agent.ts';
import { eventually, survivors, tempDir } from './test-fixtures.ts';

const dir = tempDir();
const cores: FakeCore[] = [];
const running: (RunningAgent | RunningAgents)[] = [];
const pids: number[] = [];
const quiet = (): void => undefined;

after(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await Promise.all(cores.map((c) => c.close()));
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

async function startCore(heartbeatIntervalMs = 100, port = 0): Promise<FakeCore> {
  const core = new FakeCore({ heartbeatIntervalMs });
  await core.listen(port);
  cores.push(core);
  return core;
}

test('Hello, heartbeats at the Welcome interval, and one CommandResult per Command', async () => {
  const core = await startCore(50);
  const agent = runAgent({
    coreUrl: `127.0.0.1:${core.port}`,
    host: 'flp001',
    cpu: 8,
    memoryMb: 1024,
    attributes: { role: 'readout' },
    stateDir: dir.path,
    log: quiet,
  });
  running.push(agent);
  await eventually(() => core.live('flp001') !== undefined, 5000, 'Hello');
  const stream = core.live('flp001');
  assert.ok(stream !== undefined);
  assert.deepEqual(
    [stream.hello.cpu, stream.hello.memoryMb, stream.hello.attributes],
    [8, 1024, { role: 'readout' }],
  );
  assert.match(stream.hello.agentId, /^flp001-/);
  assert.deepEqual(stream.hello.tasks, []);
  assert.equal(stream.hello.scope, '', 'an agent without --scope serves every environment');
  assert.equal(stream.acceptEncoding, null, 'the agent asks for uncompressed commands');
  await eventually(
    () => stream.received.filter((m) => m.kind.case === 'heartbeat').length >= 3,
    2000,
    'heartbeats',
  );
  assert.equal(agent.link.connected, true);

  const launched = await stream.command({
    id: 'c1',
    op: {
      case: 'launch',
      value: { taskId: 't1', environmentId: 'e1', controlMode: 'direct', simulated: true },
    },
  });
  assert.equal(launched.kind.case, 'result');
  assert.deepEqual(
    launched.kind.case === 'result' ? [launched.kind.value.ok, launched.kind.value.state] : [],
    [true, 'STANDBY'],
  );
  const configured = await stream.command({
    id: 'c2',
    op: { case: 'transition', value: { taskId: 't1', event: 'CONFIGURE', srcState: 'STANDBY' } },
  });
  assert.equal(configured.kind.case === 'result' ? configured.kind.value.state : '', 'CONFIGURED');
  const empty = await stream.command({ id: 'c3' });
  assert.equal(empty.kind.case === 'result' ? empty.kind.value.error : '', 'command has no operation');
});

test('stream loss: the agent reconnects, tasks stay alive and are reported in Hello; missed updates follow', async () => {
  const core = await startCore(1000);
  const port = core.port;
  const agent = runAgent({ coreUrl: `127.0.0.1:${port}`, host: 'flp002', stateDir: dir.path, log: quiet });
  running.push(agent);
  await eventually(() => core.live('flp002') !== undefined, 5000, 'Hello');
  const first = core.live('flp002');
  assert.ok(first !== undefined);
  const basic = { controlMode: 'basic', command: { value: 'sleep 0.6; exit 5', shell: true } };
  await first.command({
    id: 'l',
    op: { case: 'launch', value: { taskId: 'b', environmentId: 'e', ...basic } },
  });
  await first.command({ id: 'c', op: { case: 'transition', value: { taskId: 'b', event: 'CONFIGURE' } } });
  const started = await first.command({
    id: 's',
    op: { case: 'transition', value: { taskId: 'b', event: 'START' } },
  });
  const pid = started.kind.case === 'result' ? started.kind.value.pid : 0;
  pids.push(pid);
  await first.command({
    id: 'sim',
    op: { case: 'launch', value: { taskId: 'sim', environmentId: 'e', simulated: true } },
  });

  await core.close();
  await eventually(() => !agent.link.connected, 2000, 'disconnect');
  assert.deepEqual(survivors([pid]), [pid], 'the task survives the stream loss');
  await new Promise((resolve) => setTimeout(resolve, 700)); // the task ends while disconnected
  const again = await startCore(1000, port);
  await eventually(() => again.live('flp002') !== undefined, 6000, 'second Hello');
  const second = again.live('flp002');
  assert.ok(second !== undefined);
  assert.deepEqual(second.hello.tasks.map((t) => [t.taskId, t.state]).sort(), [
    ['b', 'ERROR'],
    ['sim', 'STANDBY'],
  ]);
  await eventually(() => second.received.some((m) => m.kind.case === 'update'), 2000, 'missed update');
  const update = second.received.find((m) => m.kind.case === 'update');
  assert.deepEqual(
    update?.kind.case === 'update' ? [update.kind.value.event, update.kind.value.exitCode] : [],
    ['BASIC_TASK_TERMINATED', 5],
  );
});

test('several posing agents share one process, each with its own stream', async () => {
  const core = await startCore(1000);
  const agents = runAgents(
    [{ host: 'flp010' }, { host: 'flp011', attributes: { detector: 'TPC' } }],
    `127.0.0.1:${core.port}`,
    { stateDir: dir.path, log: quiet },
  );
  running.push(agents);
  await eventually(
    () => core.live('flp010') !== undefined && core.live('flp011') !== undefined,
    5000,
    'Hellos',
  );
  assert.deepEqual(core.live('flp011')?.hello.attributes, { detector: 'TPC' });
  assert.notEqual(core.live('flp010'), core.live('flp011'));
});

test('a scoped agent says so in Hello, advertises its address and refuses other environments', async () => {
  const core = await startCore(1000);
  const agent = runAgent({
    coreUrl: `127.0.0.1:${core.port}`,
    host: 'flp003',
    scope: 'envA',
    advertiseAddress: '10.0.4.3',
    stateDir: dir.path,
    log: quiet,
  });
  running.push(agent);
  await eventually(() => core.live('flp003') !== undefined, 5000, 'Hello');
  const stream = core.live('flp003');
  assert.ok(stream !== undefined);
  assert.equal(stream.hello.scope, 'envA');
  const binds = [{ channel: 'out', addressing: 'tcp', port: 9312 }];
  const own = await stream.command({
    id: 'l1',
    op: { case: 'launch', value: { taskId: 't1', environmentId: 'envA', simulated: true, binds } },
  });
  assert.deepEqual(own.kind.case === 'result' ? own.kind.value.endpoints : {}, {
    out: 'tcp://10.0.4.3:9312',
  });
  const other = await stream.command({
    id: 'l2',
    op: { case: 'launch', value: { taskId: 't2', environmentId: 'envB', simulated: true } },
  });
  assert.deepEqual(other.kind.case === 'result' ? [other.kind.value.ok, other.kind.value.error] : [], [
    false,
    'this agent serves environment envA only, not envB',
  ]);
  assert.equal(agent.runtime.size, 1);
});
