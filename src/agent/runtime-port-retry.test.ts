/**
 * A task whose port is taken between the agent's probe and the task's bind (the race that ephemeral ports made
 * common): the task exits with EADDRINUSE and the agent launches it again on another port, saying so.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AgentRuntime, LAUNCH_PORT_ATTEMPTS } from './agent-runtime.ts';
import { PortAllocator, canBind } from './port-allocator.ts';
import { commandSpec, launchOp, survivors, tempDir } from './test-fixtures.ts';

const dir = tempDir();
const pids: number[] = [];
const servers: Server[] = [];
const lines: string[] = [];
/** An ephemeral range that the test's ports never fall into. */
const FAR_AWAY = { first: 64000, last: 65535 };
const sink = join(import.meta.dirname, '..', '..', 'examples', 'tasks', 'sink');
const runtimes: AgentRuntime[] = [];

after(async () => {
  await Promise.all(runtimes.map((r) => r.shutdown()));
  servers.forEach((s) => s.close());
  assert.deepEqual(survivors(pids), []);
  dir.remove();
});

/** Listens on 127.0.0.1 on the first port of 30000–32767 that can be had; resolves with it. */
async function holdPort(from = 30000): Promise<number> {
  for (let port = from; port <= 32767; port++) {
    if (!(await canBind(port))) continue;
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    if (ok) {
      servers.push(server);
      return port;
    }
  }
  throw new Error('no port of 30000-32767 could be held');
}

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

/** An agent whose probe misses the listener on `taken` (as when it appears just after the probe). */
function racingAgent(
  taken: readonly number[],
  control: { first: number; last: number },
): {
  runtime: AgentRuntime;
  ports: PortAllocator;
} {
  const ports = new PortAllocator({
    control,
    ephemeral: FAR_AWAY,
    start: 'lowest',
    probe: (port) => (taken.includes(port) ? Promise.resolve(true) : canBind(port)),
  });
  const runtime = new AgentRuntime({ stateDir: dir.path, ports, host: 'flp007', log: (l) => lines.push(l) });
  runtimes.push(runtime);
  return { runtime, ports };
}

test('a control port taken before the task binds it: the task is launched again on another port', async () => {
  const taken = await holdPort();
  const { runtime, ports } = racingAgent([taken], { first: taken, last: taken + 20 });
  const op = launchOp('racer', { controlMode: 'fairmq', command: commandSpec({ value: sink }) });
  const res = await runtime.handle({ id: 'l', op });
  assert.equal(res.ok, true, res.error);
  assert.equal(res.state, 'STANDBY');
  pids.push(res.pid);
  const [port] = ports.heldBy('racer');
  assert.ok(port !== undefined && port !== taken, `another control port than ${taken}: ${port}`);
  assert.equal(await accepts(port), true, 'the task serves OCC on its new control port');
  const log = readFileSync(join(dir.path, 'logs', 'env1', 'racer.log'), 'utf8');
  assert.match(log, /EADDRINUSE/, 'the first attempt failed on the taken port');
  assert.match(
    log,
    new RegExp(`port of the task was taken \\(${taken}: .*attempt 2 of ${LAUNCH_PORT_ATTEMPTS}\\)`),
  );
  assert.ok(lines.some((l) => l.startsWith('[racer] ') && l.includes('attempt 2 of')));
  await runtime.handle({ id: 'k', op: { kind: 'kill', taskId: 'racer' } });
  assert.deepEqual(ports.heldBy('racer'), []);
});

test('the attempts are bounded: when every port is taken the launch fails with the last reason', async () => {
  const first = await holdPort(31000);
  const held = [first];
  for (let i = 1; i < LAUNCH_PORT_ATTEMPTS; i++) held.push(await holdPort((held[i - 1] ?? first) + 1));
  const control = { first: Math.min(...held), last: Math.max(...held) };
  const { runtime, ports } = racingAgent(held, control);
  const free = [];
  for (let p = control.first; p <= control.last; p++) if (!held.includes(p)) free.push(p);
  // ports of the range that are not held by the test are held by a simulated task
  for (const p of free) await ports.claim('control', p, 'filler', false);
  const op = launchOp('loser', { controlMode: 'fairmq', command: commandSpec({ value: sink }) });
  const res = await runtime.handle({ id: 'l', op });
  assert.equal(res.ok, false);
  assert.match(res.error, /EADDRINUSE/);
  assert.equal(runtime.size, 0);
  assert.deepEqual(ports.heldBy('loser'), []);
  const log = readFileSync(join(dir.path, 'logs', 'env1', 'loser.log'), 'utf8');
  assert.equal(log.match(/launching again with other ports/g)?.length, LAUNCH_PORT_ATTEMPTS - 1);
});
