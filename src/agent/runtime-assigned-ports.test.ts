/** Ports assigned by the core (cluster engines): a real task listens on exactly them, or the launch says why not. */
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AgentRuntime } from './agent-runtime.ts';
import { PortAllocator, canBind } from './port-allocator.ts';
import { commandSpec, freePort, launchOp, survivors, tempDir, transitionOp } from './test-fixtures.ts';
import type { BindRequest, LaunchOp } from './types.ts';

const dir = tempDir();
const ports = new PortAllocator();
const runtime = new AgentRuntime({ stateDir: dir.path, ports, host: 'flp003' });
const pids: number[] = [];
const servers: Server[] = [];
after(async () => {
  await runtime.shutdown();
  servers.forEach((s) => s.close());
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

const sink = join(import.meta.dirname, '..', '..', 'examples', 'tasks', 'sink');

function sinkLaunch(taskId: string, bind: BindRequest, fields: Partial<LaunchOp> = {}): LaunchOp {
  return launchOp(taskId, {
    controlMode: 'fairmq',
    command: commandSpec({ value: sink }),
    binds: [bind],
    ...fields,
  });
}

/** Resolves true when a TCP connection to 127.0.0.1:`port` is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('a real task gets the assigned control port and TCP port and listens on both', async () => {
  const [control, data] = [await freePort(), await freePort()];
  const bind = { channel: 'in', addressing: 'tcp', target: '', port: data };
  const res = await runtime.handle({ id: 'l', op: sinkLaunch('sink', bind, { controlPort: control }) });
  assert.equal(res.ok, true, res.error);
  pids.push(res.pid);
  assert.deepEqual(res.endpoints, { in: `tcp://127.0.0.1:${data}` });
  assert.deepEqual([...ports.heldBy('sink')].sort(), [control, data].sort());
  assert.equal(await accepts(control), true, 'the task serves OCC on the assigned control port');
  const configure = transitionOp('sink', 'CONFIGURE', 'STANDBY');
  const args = { 'chans.in.0.address': res.endpoints['in'] ?? '', 'chans.in.0.method': 'bind' };
  const configured = await runtime.handle({ id: 'c', op: { ...configure, arguments: args } });
  assert.equal(configured.state, 'CONFIGURED', configured.error);
  assert.equal(await accepts(data), true, 'the task listens on the assigned TCP port');
  assert.equal(await canBind(data), false);
  const killed = await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'sink' } });
  assert.equal(killed.ok, true);
  assert.deepEqual(ports.heldBy('sink'), []);
});

test('an assigned TCP port that another process listens on: the task is launched again on another port', async () => {
  const server = createServer();
  servers.push(server);
  const busy = await freePort();
  await new Promise<void>((resolve) => server.listen(busy, '127.0.0.1', resolve));
  const bind = { channel: 'in', addressing: 'tcp', target: '', port: busy };
  const res = await runtime.handle({ id: 'l', op: sinkLaunch('late', bind) });
  assert.equal(res.ok, true, res.error);
  pids.push(res.pid);
  const address = res.endpoints['in'] ?? '';
  assert.match(address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  const port = Number(address.split(':')[2]);
  assert.notEqual(port, busy, 'another TCP port than the taken one');
  assert.ok(ports.range('tcp').first <= port && port <= ports.range('tcp').last, 'from the agent own range');
  assert.ok(!ports.heldBy('late').includes(busy), 'the taken port is not held');
  const log = readFileSync(join(dir.path, 'logs', 'env1', 'late.log'), 'utf8');
  assert.match(log, new RegExp(`port ${busy} assigned to channel in is busy on flp003 .*attempt 2 of 3`));
  await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'late' } });
  assert.deepEqual(ports.heldBy('late'), []);
});

test('an assigned control port held by another task of the agent: the task gets another control port', async () => {
  const port = await freePort();
  const simBind = { channel: 'out', addressing: 'tcp', target: '', port };
  const sim = await runtime.handle({ id: 's', op: sinkLaunch('sim', simBind, { simulated: true }) });
  assert.deepEqual(sim.endpoints, { out: `tcp://127.0.0.1:${port}` });
  const bind = { channel: 'in', addressing: 'tcp', target: '', port: await freePort() };
  const res = await runtime.handle({ id: 'l', op: sinkLaunch('second', bind, { controlPort: port }) });
  assert.equal(res.ok, true, res.error);
  pids.push(res.pid);
  assert.deepEqual(ports.heldBy('sim'), [port]);
  const held = ports.heldBy('second');
  assert.equal(held.length, 2);
  assert.ok(!held.includes(port));
  const log = readFileSync(join(dir.path, 'logs', 'env1', 'second.log'), 'utf8');
  assert.match(
    log,
    new RegExp(`port ${port} assigned to the control channel is busy on flp003 \\(held by task sim\\)`),
  );
  await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'second' } });
  await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'sim' } });
  assert.equal(ports.size, 0);
});
